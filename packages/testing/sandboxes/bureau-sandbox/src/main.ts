/** The bureau sandbox as its own process, configured by the environment (defaults.ts); see control.ts. */
import { serveUntilSignalled } from '../../lib/index.js';
import { bureauSandboxEnv } from './defaults.js';
import { buildBureauSandbox } from './server.js';

const env = bureauSandboxEnv(process.env);
const app = buildBureauSandbox({ apiKey: env.apiKey, maxReports: env.maxReports, logger: { level: process.env.LOG_LEVEL || 'info' } });
await serveUntilSignalled(app, env);
app.log.info('bureau sandbox (consumer credit reports, Metro 2 fields) listening');
