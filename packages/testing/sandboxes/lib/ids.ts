import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A vendor-style random id: `prefix` and `length` characters from [A-Za-z0-9], e.g. `evt_…`, `pout_…`. */
export const randomId = (prefix: string, length = 14) => prefix + Array.from(randomBytes(length), (b) => ALPHABET[b % ALPHABET.length]).join('');
