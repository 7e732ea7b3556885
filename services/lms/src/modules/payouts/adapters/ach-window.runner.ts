import type { Logger } from '@lendstack/platform';
import type { PayoutOutcome } from '../ports.js';
import type { AchPayoutAdapter } from './ach-payout.adapter.js';

/**
 * The submission windows: every `windowMs`, flush files until the queue is empty (bounded per tick), applying
 * the outcomes a rejected file produced; every `reconcileEveryMs`, ask the ODFI about files whose webhooks
 * may have been lost (AchPayoutAdapter.reconcile) and apply what it says. An error (ODFI unreachable,
 * database down) is logged and the next window tries again: entries stay queued and a built file is resent
 * with the same key and bytes.
 */
export function startAchWindows(adapter: AchPayoutAdapter, options: { readonly windowMs: number; readonly reconcileEveryMs?: number; readonly maxFilesPerWindow?: number; readonly onOutcome: (o: PayoutOutcome) => Promise<void>; readonly logger: Logger; readonly now?: () => number }) {
  const now = options.now ?? Date.now;
  let lastReconcile = now();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    for (let i = 0; i < (options.maxFilesPerWindow ?? 10) && !stopped; i += 1) {
      const { fileId, outcomes } = await adapter.flush();
      for (const outcome of outcomes) await options.onOutcome(outcome);
      if (!fileId) break;
    }
    if (options.reconcileEveryMs !== undefined && now() - lastReconcile >= options.reconcileEveryMs) {
      lastReconcile = now();
      await reconcile();
    }
  };
  const reconcile = async () => {
    const { outcomes } = await adapter.reconcile({ quietMs: options.reconcileEveryMs ?? 60_000 });
    for (const outcome of outcomes) await options.onOutcome(outcome);
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().catch((error: unknown) => options.logger.error({ err: error }, 'ACH submission window failed; the next one retries')).finally(() => {
        running = undefined;
        schedule();
      });
    }, options.windowMs);
  };
  schedule();
  return {
    /** Runs one window now (tests, shutdown). */
    runOnce: () => tick(),
    /** Asks the ODFI about quiet files now (tests). */
    reconcileOnce: async (quietMs = 0, maxFiles = 10) => {
      const { outcomes } = await adapter.reconcile({ quietMs, maxFiles });
      for (const outcome of outcomes) await options.onOutcome(outcome);
      return outcomes;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
