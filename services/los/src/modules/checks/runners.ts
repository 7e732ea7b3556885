import type pg from 'pg';
import { createSanctionsCheckRunner, loadSdnListFromDirectory } from '../screening/index.js';
import type { CheckKind, CheckRunner } from './check-runner.js';
import { createDeviceCheckRunner } from './fraud/device-check.js';
import { createDuplicateCheckRunner } from './fraud/duplicate-check.js';
import { createIdentityHashes } from './fraud/identity-hashes.js';
import { createVelocityCheckRunner, type VelocityRule } from './fraud/velocity-check.js';

/** A runner as the checks workflow schedules it: in parallel with every other, after the kinds it depends on. */
export interface RegisteredRunner {
  readonly runner: CheckRunner;
  readonly dependsOn?: readonly CheckKind[];
}

export interface CheckRunnersConfig {
  readonly pool: pg.Pool;
  /** HMAC key of the cross-tenant identity hashes; one per deployment (never per tenant). */
  readonly identityHashSecret: string;
  readonly velocityRules: readonly VelocityRule[];
  /** A phone or email seen under more than this many other national ids is a finding. */
  readonly contactReuseLimit: number;
  /** A device fingerprint used by more than this many distinct national ids is a finding. */
  readonly deviceIdentityLimit: number;
  /** Directory holding sdn.csv, alt.csv, add.csv (OFAC layout); the bundled excerpt when undefined. */
  readonly sanctionsDataDir?: string;
  readonly now: () => Date;
}

/**
 * Every check an application gets, in one list: adding a check is one line here. Kinds run in parallel
 * unless `dependsOn` says otherwise (e.g. income after document-ocr and bureau).
 */
export function createCheckRunners(config: CheckRunnersConfig): RegisteredRunner[] {
  const hashes = createIdentityHashes({ pool: config.pool, secret: config.identityHashSecret, now: config.now });
  return [
    { runner: createDuplicateCheckRunner({ hashes, contactReuseLimit: config.contactReuseLimit }) },
    { runner: createVelocityCheckRunner({ hashes, rules: config.velocityRules }) },
    { runner: createDeviceCheckRunner({ hashes, deviceIdentityLimit: config.deviceIdentityLimit }) },
    { runner: createSanctionsCheckRunner({ list: loadSdnListFromDirectory(config.sanctionsDataDir) }) },
  ];
}

/** One runner per kind, and every dependency registered and acyclic; fails at boot otherwise. */
export function validateRunners(runners: readonly RegisteredRunner[]): void {
  const kinds = new Map(runners.map((r) => [r.runner.kind, r]));
  if (kinds.size !== runners.length) throw new Error('two check runners registered for one kind');
  const visiting = new Set<CheckKind>();
  const visit = (kind: CheckKind, path: CheckKind[]) => {
    if (visiting.has(kind)) throw new Error(`check dependencies form a cycle: ${[...path, kind].join(' → ')}`);
    visiting.add(kind);
    for (const dep of kinds.get(kind)?.dependsOn ?? []) {
      if (!kinds.has(dep)) throw new Error(`check ${kind} depends on ${dep}, which is not registered`);
      visit(dep, [...path, kind]);
    }
    visiting.delete(kind);
  };
  for (const kind of kinds.keys()) visit(kind, []);
}
