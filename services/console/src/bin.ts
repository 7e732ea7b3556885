import { createLogger, stopOnSignals } from '@lendstack/platform';
import { loadConfig } from './config.js';
import { buildConsoleServer } from './server.js';

const config = loadConfig();
const logger = createLogger({ service: 'lendstack-console', level: config.LOG_LEVEL });
const app = await buildConsoleServer({ config, logger });
const url = await app.listen({ host: config.CONSOLE_HOST, port: config.CONSOLE_PORT });
logger.info({ url, los: config.LOS_BASE_URL, lms: config.LMS_BASE_URL, devSignIn: config.devSignIn }, 'console listening');
stopOnSignals(logger, () => app.close(), config.SHUTDOWN_GRACE_MS);
