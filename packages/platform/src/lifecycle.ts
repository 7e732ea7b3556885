import type pg from 'pg';
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

/**
 * A connection Postgres ends (restart, failover, pg_terminate_backend: 57P01) is not a reason to crash. pg emits
 * `error` on a client whose connection dies while no query runs on it: the pool handles that for its idle
 * clients (its `error` event), but a client checked out and held between queries (the outbox relay's
 * advisory-lock connection, a transaction waiting on a vendor call) has no listener of its own, and an
 * unhandled `error` event ends the process. Every client the pool opens gets one here; the broken client fails
 * its next query (the caller's error path releases it and the pool discards it) and a fresh one replaces it.
 */
export function surviveLostConnections(pool: pg.Pool, logger: Logger): void {
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'held database connection lost; its next query fails and the pool replaces it'));
  });
}
