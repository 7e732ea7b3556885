import type { Logger } from './logger.js';

/**
 * Graceful shutdown for a service process: on SIGTERM or SIGINT, stop taking work, drain what is in
 * flight (`stop`), then exit. A second signal while draining is ignored; a drain that hangs is cut
 * after `graceMs` (the services' SHUTDOWN_GRACE_MS) so an orchestrator's kill timeout is never the thing that ends us.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>, graceMs = 25_000): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight work');
    setTimeout(() => {
      logger.error({ graceMs }, 'drain did not finish in time; exiting');
      process.exit(1);
    }, graceMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
