import { describe, expect, it } from 'vitest';
import { decideFate } from './outcomes.js';
import { segments, twilioSignature } from './protocol.js';

describe('messaging sandbox protocol', () => {
  it("signs as Twilio's documentation example does", () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
  });

  it('counts GSM-7 and UCS-2 segments', () => {
    expect([segments('a'.repeat(160)), segments('a'.repeat(161)), segments('क'.repeat(70)), segments('क'.repeat(71))]).toEqual([1, 2, 1, 2]);
  });

  it('decides the fate from the destination number', () => {
    expect(decideFate('+15005550001')).toEqual({ kind: 'invalid-to' });
    expect(decideFate('whatsapp:+919812330003')).toEqual({ kind: 'undelivered', errorCode: 30003 });
    expect(decideFate('+12125530001')).toEqual({ kind: 'failed', errorCode: 30001 });
    expect(decideFate('+919876543210')).toEqual({ kind: 'delivered' });
  });
});
