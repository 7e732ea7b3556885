/**
 * The parts of Twilio's Programmable Messaging API (2010-04-01) the sandbox speaks:
 * - POST /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic (AccountSid:AuthToken), form fields To,
 *   From, Body, StatusCallback; 201 with the Message resource (status `queued`), or 4xx with Twilio's error
 *   body { code, message, more_info, status }.
 * - GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json: the Message resource now.
 * - Status callbacks: a form-encoded POST to StatusCallback on each change (sent, then delivered, undelivered
 *   or failed, with ErrorCode), signed X-Twilio-Signature = base64 HMAC-SHA1(AuthToken, URL + each POST
 *   parameter's name and value, names sorted).
 * WhatsApp uses the same resource with `whatsapp:`-prefixed To/From (Twilio's WhatsApp sender).
 */
import { createHmac } from 'node:crypto';

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export interface MessageResource {
  sid: string;
  account_sid: string;
  api_version: '2010-04-01';
  to: string;
  from: string;
  body: string;
  status: MessageStatus;
  direction: 'outbound-api';
  num_segments: string;
  error_code: number | null;
  error_message: string | null;
  price: string | null;
  price_unit: string;
  messaging_service_sid: string | null;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  uri: string;
}

export interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export const twilioError = (status: number, code: number, message: string): TwilioError => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

/** Twilio's request signature over the full URL and the form parameters (sorted by name). */
export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** RFC 2822 dates as Twilio writes them: "Wed, 02 Dec 2026 18:30:00 +0000". */
export const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

/** GSM-7 fits 160 characters in one segment (153 when concatenated); anything else is UCS-2, 70 (67). */
export function segments(body: string): number {
  // eslint-disable-next-line no-control-regex
  const gsm = /^[\x0A\x0D\x20-\x7E£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà]*$/.test(body);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const length = [...body].length;
  return length <= single ? 1 : Math.ceil(length / multi);
}
