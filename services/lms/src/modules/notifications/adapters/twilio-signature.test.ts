import { describe, expect, it } from 'vitest';
import { outcomeOfTwilioStatus, verifyTwilioSignature } from './twilio-messaging.client.js';

// The example of Twilio's webhook-security documentation (auth token 12345).
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };

describe('X-Twilio-Signature', () => {
  it("accepts Twilio's documented example and refuses any change to token, URL, parameters or signature", () => {
    expect(verifyTwilioSignature('12345', url, params, 'GvWf1cFY/Q7PnoempGyD5oXAezc=')).toBe(true);
    expect(verifyTwilioSignature('12346', url, params, 'GvWf1cFY/Q7PnoempGyD5oXAezc=')).toBe(false);
    expect(verifyTwilioSignature('12345', `${url}&baz=3`, params, 'GvWf1cFY/Q7PnoempGyD5oXAezc=')).toBe(false);
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '1235' }, 'GvWf1cFY/Q7PnoempGyD5oXAezc=')).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, undefined)).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, 'short')).toBe(false);
  });

  it('maps message statuses to attempt outcomes', () => {
    expect(['queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed'].map(outcomeOfTwilioStatus)).toEqual([null, null, 'sent', 'delivered', 'delivered', 'failed', 'failed']);
  });
});
