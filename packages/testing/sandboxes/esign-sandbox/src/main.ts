/**
 * The e-sign and eStamp sandbox as its own process: `tsx sandboxes/esign-sandbox/src/main.ts`, configured by the
 * environment (defaults.ts). Started and stopped through control.ts (pid file, idempotent start); SIGTERM closes it.
 */
import { serveUntilSignalled } from '../../lib/index.js';
import { esignSandboxEnv } from './defaults.js';
import { buildESignSandbox } from './server.js';

const env = esignSandboxEnv(process.env);
const app = buildESignSandbox({ ...env, logger: { level: process.env.LOG_LEVEL || 'info' } });

await serveUntilSignalled(app, env);
app.log.info({ connectUrl: env.connectUrl ?? null, autoSignDelayMs: env.autoSignDelayMs }, 'e-sign (DocuSign v2.1) and eStamp sandbox listening');
