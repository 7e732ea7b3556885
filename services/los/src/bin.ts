import { createLogger, initTelemetry, stopOnSignals } from '@lendstack/platform';
import { loadConfig } from './config.js';
import { startLos } from './main.js';

const config = loadConfig();
const telemetry = initTelemetry({ serviceName: 'lendstack-los', exporter: config.OTEL_TRACES_EXPORTER });
const logger = createLogger({ service: 'lendstack-los', level: config.LOG_LEVEL });
const service = await startLos(config, logger);
logger.info({ url: service.url, docs: `${service.url}/openapi.json` }, 'los listening');
stopOnSignals(logger, async () => {
  await service.stop();
  await telemetry.shutdown();
}, config.SHUTDOWN_GRACE_MS);
