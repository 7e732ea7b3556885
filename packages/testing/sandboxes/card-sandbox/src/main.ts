/**
 * The card-on-file sandbox as its own process: `tsx sandboxes/card-sandbox/src/main.ts`, configured by the
 * environment (defaults.ts). Started and stopped through control.ts (pid file, idempotent start); SIGTERM closes it.
 */
import { serveUntilSignalled } from '../../lib/index.js';
import { cardSandboxEnv } from './defaults.js';
import { buildCardSandbox } from './server.js';

const env = cardSandboxEnv(process.env);
const app = buildCardSandbox({ apiKey: env.apiKey, maxItems: env.maxItems, logger: { level: process.env.LOG_LEVEL || 'info' } });

await serveUntilSignalled(app, env);
app.log.info('card-on-file sandbox listening');
