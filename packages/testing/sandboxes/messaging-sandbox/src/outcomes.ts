/**
 * What the sandbox's carriers do with a message, decided from the destination number alone so a test can
 * ask for any outcome (README, "Notifications"):
 * - To +15005550001 (Twilio's magic test number): refused at once, 400 code 21211 (invalid 'To');
 * - a number ending in 30003, 30005, 30006, 30007 or 30008: `sent`, then `undelivered` with that error code
 *   (unreachable handset, unknown handset, landline/unreachable carrier, carrier filtering, unknown error);
 * - a number ending in 30001: `failed` with 30001 (queue overflow) and no `sent` before it;
 * - anything else: `sent`, then `delivered`.
 */
export const ERROR_MESSAGES: Readonly<Record<number, string>> = {
  30001: 'Queue overflow',
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
};

export type MessageFate =
  | { readonly kind: 'invalid-to' }
  | { readonly kind: 'delivered' }
  | { readonly kind: 'undelivered'; readonly errorCode: number }
  | { readonly kind: 'failed'; readonly errorCode: number };

export function decideFate(to: string): MessageFate {
  const number = to.replace(/^whatsapp:/, '');
  if (number === '+15005550001') return { kind: 'invalid-to' };
  if (number.endsWith('30001')) return { kind: 'failed', errorCode: 30001 };
  const code = Number(number.slice(-5));
  if ([30003, 30005, 30006, 30007, 30008].includes(code)) return { kind: 'undelivered', errorCode: code };
  return { kind: 'delivered' };
}
