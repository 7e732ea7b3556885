/** The 'bureau' check against the real bureau sandbox process: features, thresholds, idempotency, outages. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bureauSandbox, BUREAU_SANDBOX_DEFAULTS } from '@lendstack/testing/bureau-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VendorResponseError, VendorUnavailableError } from '../src/modules/checks/check-runner.js';
import { createBureauCheckRunner } from '../src/modules/bureau/index.js';
import { checkContext, makeSubject } from './support/vendor-checks.js';
import { testPort } from '@lendstack/testing';

const PORT = await testPort();
const url = `http://127.0.0.1:${PORT}`;
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const files = { pidFile: join(cache, `bureau-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `bureau-sandbox-${PORT}.log`) };
const runner = createBureauCheckRunner({ baseUrl: url, apiKey: BUREAU_SANDBOX_DEFAULTS.apiKey, timeoutMs: 1_000 });
const subject = (pan: string, income: { amount: string; currency: string; scale: number } | null = { amount: '8500000', currency: 'INR', scale: 2 }) => makeSubject({ statedMonthlyIncome: income }, { nationalId: pan, dateOfBirth: '1990-03-14' });
const state = async () => (await (await fetch(`${url}/sandbox/state`)).json()) as { reports: number; calls: number };

beforeAll(async () => {
  await bureauSandbox.stop(files);
  await bureauSandbox.start({ port: PORT, ...files, env: { LOG_LEVEL: 'warn' } });
});
afterAll(async () => {
  await bureauSandbox.stop(files);
});

describe('bureau check', () => {
  it('passes a clean file, with the features and the report id as evidence and no clear id', async () => {
    const outcome = await runner.run(subject('ABCPS1234K'), checkContext());
    expect(outcome).toMatchObject({ kind: 'bureau', result: 'pass', reasons: [], vendorReference: expect.stringMatching(/^rpt_/) });
    const features = outcome.evidence.features as any;
    // 11,500 + 2,000 + 14,200 rupees of scheduled payments against 85,000 of income.
    expect(features).toMatchObject({ reportId: outcome.vendorReference, tradelines: 3, openTradelines: 3, totalMonthlyObligations: { amount: '2770000', currency: 'INR', scale: 2 }, foirBasisPoints: 3258, worstDpd12m: 0, worstDpd24m: 0, enquiries6m: 1, thinFile: false, derogatory24m: false });
    expect(JSON.stringify(outcome)).not.toContain('ABCPS1234K');
  });

  it.each([
    ['ABCPS9001K', 'refer', ['bureau-thin-file']],
    ['ABCPS9002K', 'fail', ['bureau-dpd-12m', 'bureau-score-low']],
    ['ABCPS9003K', 'refer', ['bureau-dpd-24m']],
    ['ABCPS9004K', 'refer', ['bureau-enquiries-6m']],
    ['ABCPS9005K', 'refer', ['foir-above-max']],
    ['ABCPS9006K', 'fail', ['bureau-dpd-12m', 'bureau-derogatory', 'bureau-score-low']],
  ])('%s ends %s with %j', async (pan, result, codes) => {
    const outcome = await runner.run(subject(pan), checkContext());
    expect(outcome.result).toBe(result);
    expect(outcome.reasons.map((r) => r.code)).toEqual(codes);
  });

  it('refers when there is no income to compute FOIR, and thresholds are configuration', async () => {
    expect((await runner.run(subject('ABCPS1234K', null), checkContext())).reasons.map((r) => r.code)).toEqual(['foir-unknown']);
    const lenient = createBureauCheckRunner({ baseUrl: url, apiKey: BUREAU_SANDBOX_DEFAULTS.apiKey, timeoutMs: 1_000, thresholds: { failDpd12m: 90, referDpd24m: 30, maxFoirBasisPoints: 9_000, maxEnquiries6m: 4, minScore: 650 } });
    expect((await lenient.run(subject('ABCPS9005K'), checkContext())).result).toBe('pass');
  });

  it('pulls once per idempotency key: a retried check makes no second enquiry', async () => {
    const ctx = checkContext();
    const before = await state();
    const first = await runner.run(subject('ABCPS4321K'), ctx);
    const second = await runner.run(subject('ABCPS4321K'), ctx);
    expect(second.vendorReference).toBe(first.vendorReference);
    expect((await state()).reports).toBe(before.reports + 1);
  });

  it('raises VendorUnavailableError on 500 and timeout, VendorResponseError on malformed JSON', async () => {
    await expect(runner.run(subject('ABCPS9500K'), checkContext())).rejects.toBeInstanceOf(VendorUnavailableError);
    await expect(runner.run(subject('ABCPS9501K'), checkContext())).rejects.toThrow(/no answer within 1000 ms/);
    await expect(runner.run(subject('ABCPS9502K'), checkContext())).rejects.toBeInstanceOf(VendorResponseError);
  });
});
