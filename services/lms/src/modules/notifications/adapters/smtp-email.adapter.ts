/**
 * Email over SMTP with nodemailer: one pooled transport, plain SMTP or STARTTLS as the server offers. The
 * attempt id becomes the Message-ID, so a message can be traced from the attempt row to any mailbox.
 */
import nodemailer from 'nodemailer';
import type { OutgoingMessage, SendResult } from '../ports.js';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** "Lendstack Demo <no-reply@…>". */
  readonly from: string;
  /** The domain of generated Message-IDs. */
  readonly messageIdDomain: string;
  readonly timeoutMs: number;
}

export interface EmailSender {
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): void;
}

export function createSmtpEmailSender(options: SmtpOptions): EmailSender {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    pool: true,
    maxConnections: 4,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    ...(options.user ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
  });
  return {
    async send(message) {
      const messageId = `<${message.attemptId}@${options.messageIdDomain}>`;
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject ?? '',
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          messageId,
        });
        return { ok: true, vendor: 'smtp', vendorMessageId: info.messageId || messageId, vendorStatus: 'sent' };
      } catch (error) {
        const e = error as { responseCode?: number; code?: string; message: string };
        // A 5xx reply is the server's refusal; no connection means nothing was sent; anything else (a
        // timeout after DATA) may have been delivered.
        const refused = typeof e.responseCode === 'number' && e.responseCode >= 500;
        const notConnected = e.code === 'ECONNECTION' || e.code === 'ECONNREFUSED' || e.code === 'EDNS';
        return { ok: false, definite: refused || notConnected, errorCode: e.responseCode ? `smtp-${e.responseCode}` : (e.code ?? 'smtp-error'), detail: e.message };
      }
    },
    close: () => transport.close(),
  };
}
