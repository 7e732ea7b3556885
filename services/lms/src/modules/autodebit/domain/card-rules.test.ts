import { describe, expect, it } from 'vitest';
import { cardDeclineCode, decideCardDecline, isCardDeclineCode } from './card-rules.js';

const first = { attempt: 1, posted: false };

describe('card-on-file declines', () => {
  it('K1: closed (46), lost (41), stolen (43), invalid (14) never retry: a new card is needed; R1 revokes', () => {
    for (const code of ['46', '41', '43', '14']) expect(decideCardDecline(first, code, '2026-03-05').kind).toBe('stop-new-account-data');
    expect(decideCardDecline(first, 'R1', '2026-03-05').kind).toBe('stop-revoke-authorisation');
  });

  it('K2: 51 insufficient funds and 05 do not honour are retried the next day, within the attempt limit', () => {
    expect(decideCardDecline(first, '51', '2026-03-05')).toEqual({ kind: 'retry-at', date: '2026-03-06', attempt: 2, reversePosted: false });
    expect(decideCardDecline({ attempt: 2, posted: false }, '05', '2026-03-06')).toMatchObject({ kind: 'retry-at', attempt: 3 });
    expect(decideCardDecline({ attempt: 3, posted: false }, '51', '2026-03-07')).toMatchObject({ kind: 'stop-manual-review', reason: expect.stringMatching(/exhausted/) });
  });

  it('K3–K5: MAC 03 stops, 21 revokes, 25 waits 24 h, 27 four days, 01 needs refreshed credentials; 54 expired too', () => {
    expect(decideCardDecline(first, cardDeclineCode('05', '03'), '2026-03-05').kind).toBe('stop-manual-review');
    expect(decideCardDecline(first, cardDeclineCode('05', '21'), '2026-03-05').kind).toBe('stop-revoke-authorisation');
    expect(decideCardDecline(first, '51/25', '2026-03-05')).toMatchObject({ kind: 'retry-at', date: '2026-03-06' });
    expect(decideCardDecline(first, '51/27', '2026-03-05')).toMatchObject({ kind: 'retry-at', date: '2026-03-09' });
    expect(decideCardDecline(first, '05/01', '2026-03-05').kind).toBe('stop-new-account-data');
    expect(decideCardDecline(first, '54', '2026-03-05').kind).toBe('stop-new-account-data');
  });

  it('India-issued cards are not retried when the tenant says so; unknown codes are not decline codes', () => {
    expect(decideCardDecline({ ...first, issuerCountry: 'IN', retryIndianCards: false }, '51', '2026-03-05').kind).toBe('stop-manual-review');
    expect(isCardDeclineCode('51/25')).toBe(true);
    expect(isCardDeclineCode('5X')).toBe(false);
    expect(isCardDeclineCode('51/99')).toBe(false);
  });
});
