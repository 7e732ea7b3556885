import { MandateProcessorUnavailableError, type MandatePort, type MandateStore } from '../ports.js';
import type { MandateRail } from '../domain/mandate.js';
import { refreshMandate } from './refresh-mandate.js';

export interface RefreshPendingDeps {
  readonly mandates: MandateStore;
  readonly ports: Readonly<Partial<Record<MandateRail, MandatePort>>>;
  readonly now: () => Date;
}

/**
 * The fallback for a webhook that never arrived: pending mandates untouched for `quietMs` are read back from their
 * processor (oldest first, at most `limit`) and applied exactly as a webhook would (refresh-mandate.ts), so the
 * two never apply twice. One the processor still has pending is touched, so the next round reads others first.
 * A processor that cannot be reached is skipped this round. Returns how many moved and how many were read.
 */
export async function refreshPendingMandates(deps: RefreshPendingDeps, options: { quietMs: number; limit: number }): Promise<{ read: number; moved: number; unavailable: number }> {
  const due = await deps.mandates.pendingQuietSince(new Date(deps.now().getTime() - options.quietMs), options.limit);
  let moved = 0;
  let unavailable = 0;
  for (const m of due) {
    const port = deps.ports[m.rail];
    if (!port || port.vendor !== m.vendor) continue;
    try {
      const outcome = await refreshMandate(deps, port, m.vendorMandateId);
      if (outcome.kind === 'applied' && outcome.changed) moved += 1;
      else await deps.mandates.touch(m.id, deps.now());
    } catch (error) {
      if (!(error instanceof MandateProcessorUnavailableError)) throw error;
      unavailable += 1;
    }
  }
  return { read: due.length, moved, unavailable };
}
