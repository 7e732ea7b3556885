/** The mail sink in-process on free ports, spoken to in raw SMTP over a socket (no client library in between). */
import { createConnection, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMailSink, type MailSink, type StoredMail } from '../src/server.js';

let sink: MailSink;
let ports: { httpPort: number; smtpPort: number };

beforeAll(async () => {
  sink = buildMailSink({ maxMessages: 3, maxMessageBytes: 4_096 });
  ports = await sink.listen({ host: '127.0.0.1', port: 0, smtpPort: 0 });
});
afterAll(async () => sink.close());

/** One SMTP session: sends each command after the previous reply and returns every reply line. */
async function smtp(commands: string[]): Promise<string[]> {
  const socket: Socket = createConnection({ host: '127.0.0.1', port: ports.smtpPort });
  socket.setEncoding('utf8');
  const replies: string[] = [];
  let buffer = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    // A reply ends with a line "NNN text" (no dash after the code).
    while (/^\d{3} .*\r\n/m.test(buffer)) {
      const end = buffer.search(/^\d{3} .*\r\n/m);
      const line = buffer.slice(end).split('\r\n')[0]!;
      replies.push(line);
      buffer = buffer.slice(end + line.length + 2);
      waiting?.();
    }
  });
  const next = () => new Promise<void>((resolve) => (waiting = resolve));
  await next(); // greeting
  for (const command of commands) {
    socket.write(`${command}\r\n`);
    await next();
  }
  socket.end();
  return replies;
}

const messages = async (query = '') => ((await (await fetch(`http://127.0.0.1:${ports.httpPort}/messages${query}`)).json()) as { messages: StoredMail[] }).messages;

describe('mail sink', () => {
  it('accepts a message over SMTP and serves it parsed over HTTP', async () => {
    const body = ['From: Lender <no-reply@lendstack.test>', 'To: a@example.in', 'Subject: =?UTF-8?B?4KSt4KWB4KSX4KSk4KS+4KSo?=', 'Message-ID: <m1@lendstack.test>', 'Content-Type: text/plain; charset=utf-8', '', 'Hello', '.'].join('\r\n');
    const replies = await smtp(['EHLO test', 'MAIL FROM:<no-reply@lendstack.test>', 'RCPT TO:<a@example.in>', 'DATA', body, 'QUIT']);
    expect(replies.map((r) => r.slice(0, 3))).toEqual(['220', '250', '250', '250', '354', '250', '221']);
    const [mail] = await messages('?to=A@example.in');
    expect(mail).toMatchObject({ messageId: '<m1@lendstack.test>', subject: 'भुगतान', text: 'Hello\n', envelope: { mailFrom: 'no-reply@lendstack.test', rcptTo: ['a@example.in'] } });
    const byId = await fetch(`http://127.0.0.1:${ports.httpPort}/messages/${encodeURIComponent('<m1@lendstack.test>')}`);
    expect(byId.status).toBe(200);
  });

  it('refuses a message over its size limit with 552 and keeps only the newest messages', async () => {
    const big = ['Subject: big', '', 'x'.repeat(5_000), '.'].join('\r\n');
    const replies = await smtp(['EHLO test', 'MAIL FROM:<n@lendstack.test>', 'RCPT TO:<b@example.in>', 'DATA', big, 'QUIT']);
    expect(replies[5]).toMatch(/^552 /);
    expect(await messages('?to=b@example.in')).toHaveLength(0);
    for (let i = 0; i < 4; i += 1) await smtp(['HELO t', 'MAIL FROM:<n@lendstack.test>', 'RCPT TO:<c@example.in>', 'DATA', `Subject: ${i}\r\n\r\nbody\r\n.`, 'QUIT']);
    expect((await messages()).map((m) => m.subject)).toEqual(['3', '2', '1']);
    expect((await fetch(`http://127.0.0.1:${ports.httpPort}/messages?limit=0`)).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${ports.httpPort}/messages`, { method: 'DELETE' })).status).toBe(204);
    expect(await messages()).toHaveLength(0);
  });
});
