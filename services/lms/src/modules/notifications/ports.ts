import type { MessageChannel } from './domain/messages.js';

/** One message to send, already rendered. `attemptId` is stable across retries of the same attempt. */
export interface OutgoingMessage {
  readonly attemptId: string;
  readonly channel: MessageChannel;
  /** An email address, or an E.164 number (WhatsApp adds its `whatsapp:` prefix in the adapter). */
  readonly to: string;
  readonly subject: string | null;
  readonly text: string;
  readonly html: string | null;
}

export type SendResult =
  /** The vendor took the message: `sent` for SMTP (250 OK), or the vendor's first status (queued, …). */
  | { readonly ok: true; readonly vendor: string; readonly vendorMessageId: string; readonly vendorStatus: string }
  /**
   * The vendor refused the message (it will not be sent): `definite` true. A timeout or a lost answer leaves it
   * unknown whether it went out: `definite` false, and the attempt is never sent again (at most once).
   */
  | { readonly ok: false; readonly definite: boolean; readonly errorCode: string; readonly detail: string };

/** The borrower-messaging vendors: email over SMTP, SMS and WhatsApp over a messaging API. */
export interface NotificationPort {
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** A delivery receipt from the messaging vendor, verified by its adapter. */
export interface DeliveryReceipt {
  readonly vendor: string;
  readonly vendorMessageId: string;
  readonly vendorStatus: string;
  readonly outcome: 'sent' | 'delivered' | 'failed' | null;
  readonly errorCode: string | null;
}
