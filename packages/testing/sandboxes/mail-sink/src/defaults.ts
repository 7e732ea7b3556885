/**
 * Local development values of the mail sink: an SMTP server that accepts every message for any recipient and
 * keeps it (bounded) for its HTTP API. The LMS's SMTP defaults (services/lms/src/config.ts) point at it.
 */
import { envInt } from '../../lib/index.js';

export const MAIL_SINK_DEFAULTS = {
  host: '127.0.0.1',
  /** HTTP API (GET /messages, /health). */
  port: 3486,
  smtpPort: 2525,
  maxMessages: 5_000,
  maxMessageBytes: 1_048_576,
} as const;

export interface MailSinkEnv {
  readonly host: string;
  readonly port: number;
  readonly smtpPort: number;
  readonly maxMessages: number;
  readonly maxMessageBytes: number;
}

export function mailSinkEnv(env: NodeJS.ProcessEnv): MailSinkEnv {
  return {
    host: env.MAIL_SINK_HOST || MAIL_SINK_DEFAULTS.host,
    port: envInt(env.MAIL_SINK_PORT, MAIL_SINK_DEFAULTS.port, 0, 65_535, 'MAIL_SINK_PORT'),
    smtpPort: envInt(env.MAIL_SINK_SMTP_PORT, MAIL_SINK_DEFAULTS.smtpPort, 0, 65_535, 'MAIL_SINK_SMTP_PORT'),
    maxMessages: envInt(env.MAIL_SINK_MAX_MESSAGES, MAIL_SINK_DEFAULTS.maxMessages, 1, 1_000_000, 'MAIL_SINK_MAX_MESSAGES'),
    maxMessageBytes: envInt(env.MAIL_SINK_MAX_MESSAGE_BYTES, MAIL_SINK_DEFAULTS.maxMessageBytes, 1_024, 52_428_800, 'MAIL_SINK_MAX_MESSAGE_BYTES'),
  };
}
