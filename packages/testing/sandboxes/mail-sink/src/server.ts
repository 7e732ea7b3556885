/**
 * The mail sink: a real SMTP server (smtp-server: EHLO, MAIL FROM, RCPT TO, DATA, SIZE) that accepts every
 * message, parses it (mailparser) and keeps the newest `maxMessages` for a small HTTP API:
 * GET /messages?to=&limit= (newest first), GET /messages/:id, DELETE /messages, GET /health.
 * No TLS and no authentication: it listens on loopback for development and tests only.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface StoredMail {
  readonly id: string;
  readonly receivedAt: string;
  /** The SMTP envelope, as the client gave it. */
  readonly envelope: { readonly mailFrom: string | null; readonly rcptTo: readonly string[] };
  readonly messageId: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly subject: string | null;
  readonly date: string | null;
  readonly text: string | null;
  readonly html: string | null;
  readonly headers: Record<string, string>;
  readonly sizeBytes: number;
}

export interface MailSinkOptions {
  readonly maxMessages: number;
  readonly maxMessageBytes: number;
  readonly logger?: FastifyServerOptions['logger'];
}

export interface MailSink {
  readonly http: FastifyInstance;
  readonly smtp: SMTPServer;
  listen(address: { host: string; port: number; smtpPort: number }): Promise<{ httpPort: number; smtpPort: number }>;
  close(): Promise<void>;
}

export function buildMailSink(options: MailSinkOptions): MailSink {
  const http = Fastify({ logger: options.logger ?? false });
  const mails: StoredMail[] = [];

  const smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: options.maxMessageBytes,
    banner: 'Lendstack mail sink',
    logger: false,
    async onData(stream, session, callback) {
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        // smtp-server marks an oversized message rather than cutting the connection.
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const error = Object.assign(new Error(`message exceeds ${options.maxMessageBytes} bytes`), { responseCode: 552 });
          return callback(error);
        }
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        const headers: Record<string, string> = {};
        for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
        const address = (a: typeof parsed.to) => (a === undefined ? null : Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text);
        mails.push({
          id: randomUUID(),
          receivedAt: new Date().toISOString(),
          envelope: { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, rcptTo: session.envelope.rcptTo.map((r) => r.address) },
          messageId: parsed.messageId ?? null,
          from: address(parsed.from),
          to: address(parsed.to),
          subject: parsed.subject ?? null,
          date: parsed.date ? parsed.date.toISOString() : null,
          text: parsed.text ?? null,
          html: typeof parsed.html === 'string' ? parsed.html : null,
          headers,
          sizeBytes: raw.length,
        });
        if (mails.length > options.maxMessages) mails.splice(0, mails.length - options.maxMessages);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  smtp.on('error', (error) => http.log.warn({ err: error }, 'smtp error'));

  http.get('/health', async () => ({ status: 'ok' }));
  http.get<{ Querystring: { to?: string; limit?: string } }>('/messages', async (request, reply) => {
    const limit = request.query.limit === undefined ? 50 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return reply.code(400).send({ error: 'limit must be an integer from 1 to 500' });
    const to = request.query.to?.toLowerCase();
    const found = mails.filter((m) => !to || m.envelope.rcptTo.some((r) => r.toLowerCase() === to)).reverse();
    return { messages: found.slice(0, limit) };
  });
  http.get<{ Params: { id: string } }>('/messages/:id', async (request, reply) => {
    const mail = mails.find((m) => m.id === request.params.id || m.messageId === request.params.id);
    return mail ?? reply.code(404).send({ error: 'no such message' });
  });
  http.delete('/messages', async (_request, reply) => {
    mails.length = 0;
    return reply.code(204).send();
  });

  return {
    http,
    smtp,
    async listen(address) {
      await new Promise<void>((resolve, reject) => {
        smtp.once('error', reject);
        smtp.listen(address.smtpPort, address.host, () => {
          smtp.off('error', reject);
          resolve();
        });
      });
      await http.listen({ host: address.host, port: address.port });
      const smtpPort = (smtp.server.address() as AddressInfo).port;
      return { httpPort: (http.server.address() as AddressInfo).port, smtpPort };
    },
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await http.close();
    },
  };
}
