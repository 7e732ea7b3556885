/**
 * SMS and WhatsApp through Twilio's Programmable Messaging API (2010-04-01): POST
 * /Accounts/{AccountSid}/Messages.json with form fields To, From, Body, StatusCallback and HTTP Basic auth;
 * WhatsApp is the same resource with `whatsapp:` addresses. Delivery receipts arrive at StatusCallback
 * (twilio-status.routes.ts), signed with X-Twilio-Signature (verifyTwilioSignature).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OutgoingMessage, SendResult } from '../ports.js';

export interface TwilioOptions {
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly smsFrom: string;
  readonly whatsappFrom: string;
  /** The LMS's public URL of POST /v1/notification-webhooks/twilio, as Twilio will call (and sign) it. */
  readonly statusCallbackUrl: string;
  readonly timeoutMs: number;
}

export interface MessagingSender {
  send(message: OutgoingMessage): Promise<SendResult>;
}

export function createTwilioMessagingClient(options: TwilioOptions): MessagingSender {
  const auth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const url = `${options.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
  return {
    async send(message) {
      const whatsapp = message.channel === 'whatsapp';
      const form = new URLSearchParams({
        To: whatsapp ? `whatsapp:${message.to}` : message.to,
        From: whatsapp ? `whatsapp:${options.whatsappFrom}` : options.smsFrom,
        Body: message.text,
        StatusCallback: options.statusCallbackUrl,
      });
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: form, signal: AbortSignal.timeout(options.timeoutMs) });
      } catch (error) {
        const name = (error as Error).name;
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        // Refused connections sent nothing; a timeout may have reached Twilio.
        return { ok: false, definite: cause === 'ECONNREFUSED', errorCode: cause ?? name, detail: (error as Error).message };
      }
      const body = (await response.json().catch(() => ({}))) as { sid?: string; status?: string; code?: number; message?: string };
      if (response.status === 201 && body.sid) return { ok: true, vendor: 'twilio', vendorMessageId: body.sid, vendorStatus: body.status ?? 'queued' };
      // 4xx: Twilio refused it (nothing sent). 5xx: Twilio's own failure, which may follow the write.
      return { ok: false, definite: response.status < 500, errorCode: `twilio-${body.code ?? response.status}`, detail: body.message ?? `HTTP ${response.status}` };
    },
  };
}

/** X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by each POST parameter's name and value, names sorted. */
export function verifyTwilioSignature(authToken: string, url: string, params: Readonly<Record<string, string>>, signature: string | undefined): boolean {
  if (!signature) return false;
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  const expected = createHmac('sha1', authToken).update(data, 'utf8').digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Twilio's status → the attempt's outcome (queued/accepted/sending change nothing). */
export function outcomeOfTwilioStatus(status: string): 'sent' | 'delivered' | 'failed' | null {
  if (status === 'sent') return 'sent';
  if (status === 'delivered' || status === 'read') return 'delivered';
  if (status === 'undelivered' || status === 'failed') return 'failed';
  return null;
}
