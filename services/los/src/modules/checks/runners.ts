import type pg from 'pg';
import type { LosConfig } from '../../config.js';
import { createBureauCheckRunner } from '../bureau/index.js';
import { createDocumentOcrCheckRunner, createIncomeCheckRunner, type BlobStore, type OcrEngine } from '../documents/index.js';
import { createKycCheckRunner, kycConfigFromEnv } from '../kyc/index.js';
import { createSanctionsCheckRunner, loadPepListFromDirectory, loadSdnListFromDirectory } from '../screening/index.js';
import type { CheckKind, CheckRunner } from './check-runner.js';
import { createDeviceCheckRunner } from './fraud/device-check.js';
import { createDuplicateCheckRunner } from './fraud/duplicate-check.js';
import { createIdentityHashes } from './fraud/identity-hashes.js';
import { createVelocityCheckRunner, parseVelocityRules } from './fraud/velocity-check.js';

/** A runner as the checks workflow schedules it: in parallel with every other, after the kinds it depends on. */
export interface RegisteredRunner {
  readonly runner: CheckRunner;
  readonly dependsOn?: readonly CheckKind[];
}

/** What the runners need besides configuration: our database, the document bytes, one OCR engine. */
export interface CheckRunnersDeps {
  readonly pool: pg.Pool;
  readonly blobs: BlobStore;
  /** Shared by document-ocr and income (it caches by SHA-256, so a payslip is read once). */
  readonly ocr: OcrEngine;
  readonly now: () => Date;
}

/**
 * Every check an application gets, in one list: adding a check is one line here. Kinds run in parallel
 * unless `dependsOn` says otherwise: income waits for document-ocr, so the payslip it reads is already in
 * the OCR engine's cache. main.ts, the test server and the test worker process all build the list here.
 */
export function createCheckRunners(config: LosConfig, deps: CheckRunnersDeps): RegisteredRunner[] {
  const hashes = createIdentityHashes({ pool: deps.pool, secret: config.LOS_IDENTITY_HASH_SECRET, now: deps.now });
  const all: RegisteredRunner[] = [
    { runner: createKycCheckRunner({ pool: deps.pool, blobs: deps.blobs, ...kycConfigFromEnv(config) }) },
    { runner: createBureauCheckRunner({ baseUrl: config.BUREAU_BASE_URL, apiKey: config.BUREAU_API_KEY, timeoutMs: config.VENDOR_TIMEOUT_MS }) },
    { runner: createDocumentOcrCheckRunner({ blobs: deps.blobs, ocr: deps.ocr }) },
    { runner: createIncomeCheckRunner({ blobs: deps.blobs, ocr: deps.ocr }), dependsOn: ['document-ocr'] },
    { runner: createDuplicateCheckRunner({ hashes, contactReuseLimit: config.LOS_CONTACT_REUSE_LIMIT }) },
    { runner: createVelocityCheckRunner({ hashes, rules: parseVelocityRules(config.LOS_VELOCITY_RULES) }) },
    { runner: createDeviceCheckRunner({ hashes, deviceIdentityLimit: config.LOS_DEVICE_IDENTITY_LIMIT }) },
    { runner: createSanctionsCheckRunner({ list: loadSdnListFromDirectory(config.LOS_SANCTIONS_DATA_DIR), pep: loadPepListFromDirectory(config.LOS_PEP_DATA_DIR) }) },
  ];
  return all.filter((r) => config.LOS_CHECK_KINDS.includes(r.runner.kind));
}

/** `runners` with each of `overrides` in place of the runner of its kind (or added when there is none). */
export function withRunners(runners: readonly RegisteredRunner[], ...overrides: RegisteredRunner[]): RegisteredRunner[] {
  const replaced = new Set(overrides.map((o) => o.runner.kind));
  return [...runners.filter((r) => !replaced.has(r.runner.kind)), ...overrides];
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
