import type { DocumentContentType } from '../ports.js';

/**
 * The content type by the file's own first bytes, never by what the upload claims:
 * JPEG starts FF D8 FF, PNG with its 8-byte signature 89 50 4E 47 0D 0A 1A 0A, PDF with "%PDF-".
 */
export function sniffContentType(bytes: Uint8Array): DocumentContentType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 5 && [0x25, 0x50, 0x44, 0x46, 0x2d].every((b, i) => bytes[i] === b)) return 'application/pdf';
  return undefined;
}

/** What the upload's own header said, normalised (image/jpg is a common alias of image/jpeg). */
export function declaredContentType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  if (!type || type === 'application/octet-stream') return undefined;
  return type === 'image/jpg' || type === 'image/pjpeg' ? 'image/jpeg' : type;
}
