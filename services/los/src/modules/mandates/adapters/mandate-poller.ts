import type { Logger } from '@lendstack/platform';
import { refreshPendingMandates, type RefreshPendingDeps } from '../use-cases/refresh-pending.js';

/** Runs refreshPendingMandates every `everyMs` (one round at a time) until stopped; a failed round is logged and the next one runs. */
export function startMandatePoller(deps: RefreshPendingDeps & { readonly logger: Logger; readonly everyMs: number; readonly quietMs: number; readonly limit: number }): { stop(): Promise<void> } {
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    round = refreshPendingMandates(deps, { quietMs: deps.quietMs, limit: deps.limit }).then(
      (r) => { if (r.moved > 0 || r.unavailable > 0) deps.logger.info(r, 'pending mandates read back from their processors'); },
      (error: unknown) => deps.logger.warn({ err: error }, 'pending mandates not read back this round'),
    ).finally(() => { if (!stopped) timer = setTimeout(tick, deps.everyMs); });
  };
  let timer = setTimeout(tick, deps.everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
