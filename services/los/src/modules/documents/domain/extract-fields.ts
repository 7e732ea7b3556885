/**
 * Fields read from OCR text of an identity document or a payslip. Labelled lines ("Name:", "Date of Birth:",
 * "PAN:", "Employer:", "Net Pay:") are what issuers print; OCR's usual letter/digit confusions are undone where
 * the field's shape says which one is meant (a PAN is five letters, four digits, a letter).
 */

export interface ExtractedFields {
  readonly name: string | null;
  readonly idNumber: string | null;
  /** YYYY-MM-DD; printed dates are read day first (DD/MM/YYYY) unless written YYYY-MM-DD. */
  readonly dateOfBirth: string | null;
  readonly employer: string | null;
  /** Minor units at scale 2, with the currency printed next to it (null when none is printed). */
  readonly netPay: { readonly amount: string; readonly currency: string | null; readonly scale: 2 } | null;
}

const LETTER_FOR: Record<string, string> = { '0': 'O', '1': 'I', '2': 'Z', '5': 'S', '8': 'B', '6': 'G' };
const DIGIT_FOR: Record<string, string> = { O: '0', D: '0', Q: '0', I: '1', L: '1', '|': '1', Z: '2', S: '5', B: '8', G: '6' };
const toDigits = (s: string) => [...s.toUpperCase()].map((c) => DIGIT_FOR[c] ?? c).join('');
const toLetters = (s: string) => [...s.toUpperCase()].map((c) => LETTER_FOR[c] ?? c).join('');

/** A PAN-shaped token with OCR confusions repaired by position, or null. */
export function repairPan(token: string): string | null {
  const t = token.replace(/[^A-Za-z0-9|]/g, '').toUpperCase();
  if (t.length !== 10) return null;
  const pan = toLetters(t.slice(0, 5)) + toDigits(t.slice(5, 9)) + toLetters(t.slice(9));
  return /^[A-Z]{5}[0-9]{4}[A-Z]$/.test(pan) ? pan : null;
}

const labelled = (lines: readonly string[], label: RegExp): string | null => {
  for (const line of lines) {
    const match = label.exec(line);
    if (match?.[1]?.trim()) return match[1].trim();
  }
  return null;
};

function readDate(text: string | null): string | null {
  if (!text) return null;
  const t = toDigits(text.replace(/\s+/g, ''));
  const iso = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/.exec(t);
  const dayFirst = /(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})/.exec(t);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : dayFirst ? [dayFirst[3], dayFirst[2], dayFirst[1]] : [];
  if (!y || !m || !d) return null;
  const date = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date ? date : null;
}

function readMoney(text: string | null): ExtractedFields['netPay'] {
  if (!text) return null;
  const currency = /\b(INR|RS\.?|USD)\b|₹|\$/i.exec(text)?.[0]?.toUpperCase();
  const figure = /([0-9OIlSB][0-9OIlSB,]*(?:\.[0-9OIlSB]{1,2})?)\s*$/.exec(text.replace(/\s+(?=[\d,])/g, '').trim()) ?? /([0-9][0-9,]*(?:\.[0-9]{1,2})?)/.exec(text);
  if (!figure?.[1]) return null;
  const digits = toDigits(figure[1]).replace(/,/g, '');
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(digits);
  if (!match) return null;
  const amount = (BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0') || '0')).toString();
  const code = currency === undefined ? null : currency === '$' || currency === 'USD' ? 'USD' : 'INR';
  return { amount, currency: code, scale: 2 };
}

export function extractFields(text: string): ExtractedFields {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const name = labelled(lines, /^(?:employee\s+|full\s+|applicant\s+)?name\s*[:;.-]\s*(.+)$/i);
  const idLabel = /^(?:PAN|Permanent Account (?:Number|No\.?)|SSN|Social Security (?:Number|No\.?)|Aadhaar(?: No\.?| Number)?|ID (?:No\.?|Number))\s*[:;.-]?\s*(.+)$/i;
  const idCandidates = lines.map((l) => idLabel.exec(l)?.[1]?.trim()).filter((v): v is string => Boolean(v));
  const panAnywhere = lines.flatMap((l) => l.split(/\s+/)).map(repairPan).find((p) => p !== null) ?? null;
  // A labelled PAN first, then a PAN anywhere, then a labelled number with at least four digits (SSN, Aadhaar…).
  const idNumber = idCandidates.map(repairPan).find((p) => p !== null) ?? panAnywhere
    ?? idCandidates.map((c) => toDigits(c).replace(/[^0-9A-Z-]/g, '')).find((c) => (c.match(/\d/g) ?? []).length >= 4) ?? null;
  const dateOfBirth = readDate(labelled(lines, /^(?:date of birth|d\.?o\.?b\.?|birth date)\s*[:;.-]?\s*(.+)$/i));
  const employer = labelled(lines, /^(?:employer|company|employer name)\s*[:;.-]\s*(.+)$/i)
    ?? lines.slice(0, 3).find((l) => /\b(PVT\.? LTD|LTD|LIMITED|INC|LLC|CORP(ORATION)?|LLP)\.?$/i.test(l)) ?? null;
  const netPay = readMoney(labelled(lines, /^net\s*(?:pay|salary|amount)(?:\s*\(.*?\))?\s*[:;.-]?\s*(.+)$/i));
  return { name: name?.replace(/[^A-Za-z .'-]/g, '').trim() || null, idNumber: idNumber || null, dateOfBirth, employer, netPay };
}
