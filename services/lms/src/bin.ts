import { createLogger, initTelemetry, stopOnSignals } from '@lendstack/platform';
import { loadConfig } from './config.js';
import { startLms } from './main.js';

const config = loadConfig();
const telemetry = initTelemetry({ serviceName: 'lendstack-lms', exporter: config.OTEL_TRACES_EXPORTER });
const logger = createLogger({ service: 'lendstack-lms', level: config.LOG_LEVEL });
const service = await startLms(config, logger, telemetry);
logger.info({ url: service.url, docs: `${service.url}/openapi.json` }, 'lms listening');
stopOnSignals(logger, async () => {
  await service.stop();
  await telemetry.shutdown();
}, config.SHUTDOWN_GRACE_MS);
