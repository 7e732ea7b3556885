/** The bureau sandbox as its own process, configured by the environment (defaults.ts); see control.ts. */
import { bureauSandboxEnv } from './defaults.js';
import { buildBureauSandbox } from './server.js';

const env = bureauSandboxEnv(process.env);
const app = buildBureauSandbox({ apiKey: env.apiKey, maxReports: env.maxReports, logger: { level: process.env.LOG_LEVEL || 'info' } });
const shutdown = () => {
  app.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
await app.listen({ host: env.host, port: env.port });
app.log.info('bureau sandbox (consumer credit reports, Metro 2 fields) listening');
