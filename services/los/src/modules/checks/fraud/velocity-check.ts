import type { CheckOutcome, CheckReason, CheckRunner } from '../check-runner.js';
import type { IdentityHashes } from './identity-hashes.js';

/** At most `maxApplications` from one device (or IP) within `windowSeconds`, across all tenants. */
export interface VelocityRule {
  readonly signal: 'device' | 'ip';
  readonly windowSeconds: number;
  readonly maxApplications: number;
}

/** `device:3600:5,ip:86400:50` → rules; throws naming the bad part. */
export function parseVelocityRules(spec: string): VelocityRule[] {
  return spec.split(',').map((s) => s.trim()).filter(Boolean).map((part) => {
    const m = /^(device|ip):(\d+):(\d+)$/.exec(part);
    if (!m || Number(m[2]) <= 0 || Number(m[3]) <= 0) throw new Error(`LOS_VELOCITY_RULES: "${part}" is not device|ip:<windowSeconds>:<maxApplications>`);
    return { signal: m[1] as 'device' | 'ip', windowSeconds: Number(m[2]), maxApplications: Number(m[3]) };
  });
}

/**
 * The `velocity` check: applications from the same device fingerprint or IP over each configured window,
 * across all tenants, this one included. Over a limit → refer with `velocity-exceeded`. No device signal
 * in the application → pass with `no-device-signal` (nothing to count).
 */
export function createVelocityCheckRunner(deps: { hashes: IdentityHashes; rules: readonly VelocityRule[] }): CheckRunner {
  return {
    kind: 'velocity',
    async run(subject): Promise<CheckOutcome> {
      if (!subject.device) return { kind: 'velocity', result: 'pass', reasons: [{ code: 'no-device-signal', detail: 'the application has no device fingerprint or IP' }], evidence: { windows: [] } };
      const hashes = await deps.hashes.record(subject);
      const reasons: CheckReason[] = [];
      const windows = [];
      let worst = 0;
      for (const rule of deps.rules) {
        const count = await deps.hashes.recentCount(rule.signal, hashes.get(rule.signal)!, rule.windowSeconds);
        windows.push({ ...rule, count });
        worst = Math.max(worst, count / rule.maxApplications);
        if (count > rule.maxApplications) reasons.push({ code: 'velocity-exceeded', detail: `${count} applications from this ${rule.signal} in ${rule.windowSeconds}s (limit ${rule.maxApplications})` });
      }
      return { kind: 'velocity', result: reasons.length > 0 ? 'refer' : 'pass', score: Math.min(1, worst), reasons, evidence: { windows } };
    },
  };
}
