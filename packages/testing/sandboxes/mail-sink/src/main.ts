/** The mail sink as its own process (control.ts starts it): SMTP on MAIL_SINK_SMTP_PORT, HTTP on MAIL_SINK_PORT. */
import { mailSinkEnv } from './defaults.js';
import { buildMailSink } from './server.js';

const env = mailSinkEnv(process.env);
const sink = buildMailSink({ ...env, logger: { level: process.env.LOG_LEVEL || 'info' } });
const shutdown = () => {
  sink.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
const ports = await sink.listen(env);
sink.http.log.info(ports, 'mail sink listening (SMTP and HTTP)');
