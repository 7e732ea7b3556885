/** The messaging sandbox as its own process (control.ts starts it), configured by the environment (defaults.ts). */
import { serveUntilSignalled } from '../../lib/index.js';
import { messagingSandboxEnv } from './defaults.js';
import { buildMessagingSandbox } from './server.js';

const env = messagingSandboxEnv(process.env);
const app = buildMessagingSandbox({ ...env, logger: { level: process.env.LOG_LEVEL || 'info' } });
await serveUntilSignalled(app, env);
app.log.info({ accountSid: env.accountSid }, 'messaging sandbox (Twilio Programmable Messaging protocol) listening');
