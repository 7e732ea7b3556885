import { describe, expect, it } from 'vitest';
import { declaredContentType, sniffContentType } from './sniff.js';

describe('content type sniffing', () => {
  it('knows jpg, png and pdf by their first bytes', () => {
    expect(sniffContentType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffContentType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffContentType(new TextEncoder().encode('%PDF-1.7\n'))).toBe('application/pdf');
  });

  it('refuses anything else, whatever it is called', () => {
    expect(sniffContentType(new TextEncoder().encode('MZ\x90\x00 an executable'))).toBeUndefined();
    expect(sniffContentType(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffContentType(Uint8Array.from([0x89, 0x50, 0x4e]))).toBeUndefined();
    expect(sniffContentType(new Uint8Array())).toBeUndefined();
  });

  it('normalises the declared type', () => {
    expect(declaredContentType('image/JPG')).toBe('image/jpeg');
    expect(declaredContentType('application/pdf; charset=binary')).toBe('application/pdf');
    expect(declaredContentType('application/octet-stream')).toBeUndefined();
  });
});
