/**
 * BureauPort over the bureau's consumer-report API (the sandbox in packages/testing/sandboxes/bureau-sandbox
 * documents it): POST /v1/credit-reports with `x-api-key` and the check's idempotency key as
 * `Idempotency-Key`, so a retried or resumed check never makes a second hard enquiry.
 */
import { z } from 'zod';
import type { CheckContext, CheckSubject } from '../../checks/check-runner.js';
import { callVendor, vendorJson, vendorParse } from '../../kyc/adapters/vendor-http.js';
import type { BureauReport } from '../domain/report.js';
import type { BureauPort } from '../ports.js';

export interface BureauClientConfig {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

const VENDOR = 'bureau';
const minor = z.string().regex(/^-?\d{1,18}$/);
const reportSchema = z.object({
  id: z.string().min(1),
  reportDate: z.iso.date(),
  currency: z.string().length(3),
  scale: z.number().int().min(0).max(4),
  score: z.object({ value: z.number().int().nullable() }),
  tradelines: z.array(z.object({
    portfolioType: z.enum(['C', 'I', 'M', 'O', 'R']),
    accountType: z.string(),
    dateOpened: z.iso.date(),
    scheduledMonthlyPayment: minor,
    currentBalance: minor,
    amountPastDue: minor,
    accountStatus: z.string().min(2).max(2),
    paymentRating: z.string().max(1),
    paymentHistoryProfile: z.string().length(24),
  })).max(500),
  inquiries: z.array(z.object({ date: z.iso.date() })).max(500),
});

export function createBureauClient(config: BureauClientConfig): BureauPort {
  return {
    vendor: VENDOR,
    async pull(subject: CheckSubject, ctx: CheckContext): Promise<BureauReport> {
      const body = {
        consumer: {
          name: subject.applicant.name,
          dateOfBirth: await subject.reveal('date-of-birth').catch(() => null),
          nationalId: { type: subject.applicant.nationalIdType, value: await subject.reveal('national-id') },
          country: subject.applicant.country.toUpperCase(),
        },
        purpose: 'new-credit-application',
      };
      const answer = await callVendor({
        vendor: VENDOR, url: `${config.baseUrl}/v1/credit-reports`, method: 'POST', timeoutMs: config.timeoutMs, signal: ctx.signal, body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', 'x-api-key': config.apiKey, 'idempotency-key': ctx.idempotencyKey },
      });
      const report = vendorParse(VENDOR, 'POST /v1/credit-reports', reportSchema, vendorJson(VENDOR, answer, 'POST /v1/credit-reports'));
      return {
        id: report.id,
        reportDate: report.reportDate,
        currency: report.currency,
        scale: report.scale,
        score: report.score.value,
        tradelines: report.tradelines.map((t) => ({ ...t, scheduledMonthlyPayment: BigInt(t.scheduledMonthlyPayment), currentBalance: BigInt(t.currentBalance), amountPastDue: BigInt(t.amountPastDue) })),
        inquiries: report.inquiries,
      };
    },
  };
}
