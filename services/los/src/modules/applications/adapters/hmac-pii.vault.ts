import { createHmac } from 'node:crypto';
import type { PiiVault } from '../ports.js';

/**
 * Local tokenisation: the token is an HMAC of the value under a deployment secret, so the same value
 * always maps to the same token (duplicate checks work) and the token reveals nothing without the secret.
 */
export function createHmacPiiVault(secret: string): PiiVault {
  return {
    tokenise(kind, value) {
      const normalised = value.replace(/\s+/g, '').toUpperCase();
      const token = `tok_${createHmac('sha256', secret).update(`${kind}:${normalised}`).digest('base64url').slice(0, 32)}`;
      return { masked: maskOf(kind, normalised), token };
    },
  };
}

/**
 * The masked form the contract allows for any value the API accepts: X's, then at most the last four
 * characters if they are letters or digits (digits only for an account number). Punctuation in the
 * tail is masked too: `12345-67` → `XXXXX567`, a RUT `12.345.678-K` → `XXXXXXXXX78K`.
 */
export function maskOf(kind: 'national-id' | 'bank-account', normalised: string): string {
  const tail = normalised.slice(-4);
  const visible = kind === 'bank-account' ? tail.replace(/\D/g, '') : tail.replace(/[^A-Za-z0-9]/g, '');
  return `${'X'.repeat(Math.max(4, normalised.length - visible.length))}${visible}`;
}
