/**
 * KycPort over the Onfido API v3.6 (github.com/onfido/onfido-openapi-spec): create the applicant, upload the
 * identity documents (multipart), create a check with `report_names`, wait for `check.completed` (the
 * signed webhook, recorded by onfido-webhook.routes.ts; GET /checks/{id} every `pollEveryMs` as fallback,
 * bounded by `maxWaitMs`), then read the reports. What was created is saved per idempotency key, so a retry
 * or a resumed workflow continues with the same applicant and check.
 */
import { z } from 'zod';
import { VendorUnavailableError, type CheckContext, type CheckReason, type CheckSubject } from '../../checks/check-runner.js';
import type { BlobStore } from '../../documents/ports.js';
import type { KycPort, KycVendorRecord, KycVendorRecords, KycVerification, KycWebhookInbox } from '../ports.js';
import { callVendor, vendorJson, vendorParse } from './vendor-http.js';

export interface OnfidoConfig {
  /** e.g. https://api.eu.onfido.com/v3.6, or the sandbox's http://127.0.0.1:3482/v3.6 */
  readonly baseUrl: string;
  readonly apiToken: string;
  readonly timeoutMs: number;
  readonly pollEveryMs: number;
  readonly maxWaitMs: number;
  /** How often the webhook inbox is looked at while waiting. */
  readonly inboxEveryMs?: number;
}

export interface OnfidoDeps {
  readonly config: OnfidoConfig;
  readonly records: KycVendorRecords;
  readonly inbox: KycWebhookInbox;
  readonly blobs: BlobStore;
}

const VENDOR = 'onfido';
const ISO3: Record<string, string> = { IN: 'IND', US: 'USA', GB: 'GBR', CA: 'CAN', AU: 'AUS', DE: 'DEU', FR: 'FRA', IE: 'IRL', SG: 'SGP', AE: 'ARE', NL: 'NLD', ES: 'ESP', IT: 'ITA' };
const ID_TYPE: Record<string, string> = { SSN: 'ssn', PAN: 'tax_id', SIN: 'social_insurance', PASSPORT: 'passport', DRIVING_LICENCE: 'driving_licence', VOTER_ID: 'voter_id', AADHAAR: 'identity_card' };

const idSchema = z.object({ id: z.string().min(1) }).passthrough();
const checkSchema = z.object({ id: z.string().min(1), status: z.string(), result: z.string().nullable().optional(), report_ids: z.array(z.string()).optional() }).passthrough();
const reportSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  result: z.string().nullable(),
  sub_result: z.string().nullable().optional(),
  breakdown: z.record(z.string(), z.object({ result: z.string().nullable().optional() }).passthrough()).optional().nullable(),
}).passthrough();
const reportsSchema = z.object({ reports: z.array(reportSchema) });

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});

export function createOnfidoKycAdapter(deps: OnfidoDeps): KycPort {
  const { config } = deps;
  const headers = { authorization: `Token token=${config.apiToken}`, accept: 'application/json' };
  const post = async (path: string, body: string | FormData, ctx: CheckContext) => {
    const answer = await callVendor({ vendor: VENDOR, url: `${config.baseUrl}${path}`, method: 'POST', headers: typeof body === 'string' ? { ...headers, 'content-type': 'application/json' } : headers, body, timeoutMs: config.timeoutMs, signal: ctx.signal });
    return vendorJson(VENDOR, answer, `POST ${path}`);
  };
  const get = async (path: string, ctx: CheckContext) => vendorJson(VENDOR, await callVendor({ vendor: VENDOR, url: `${config.baseUrl}${path}`, headers, timeoutMs: config.timeoutMs, signal: ctx.signal }), `GET ${path}`);

  async function createApplicant(subject: CheckSubject, ctx: CheckContext): Promise<string> {
    const { applicant } = subject;
    const dob = await subject.reveal('date-of-birth').catch(() => '');
    const idType = ID_TYPE[applicant.nationalIdType.toUpperCase()] ?? 'other';
    const body = {
      first_name: applicant.name.given,
      last_name: applicant.name.family,
      email: applicant.contact.email,
      phone_number: applicant.contact.phone,
      ...(/^\d{4}-\d{2}-\d{2}$/.test(dob) ? { dob } : {}),
      id_numbers: [{ type: idType, value: await subject.reveal('national-id') }],
      ...(ISO3[applicant.country] ? { location: { country_of_residence: ISO3[applicant.country] } } : {}),
    };
    return vendorParse(VENDOR, 'POST /applicants', idSchema, await post('/applicants', JSON.stringify(body), ctx)).id;
  }

  async function uploadDocuments(subject: CheckSubject, applicantId: string, known: Readonly<Record<string, string>>, ctx: CheckContext, save: (ids: Record<string, string>) => Promise<void>): Promise<Record<string, string>> {
    const ids: Record<string, string> = { ...known };
    for (const document of subject.documents.filter((d) => d.kind === 'identity')) {
      if (ids[document.id]) continue;
      const bytes = await deps.blobs.get(document.blobKey);
      if (!bytes) continue;
      const form = new FormData();
      form.set('applicant_id', applicantId);
      form.set('type', 'national_identity_card');
      if (ISO3[subject.applicant.country]) form.set('issuing_country', ISO3[subject.applicant.country]!);
      const extension = document.contentType === 'image/png' ? 'png' : document.contentType === 'image/jpeg' ? 'jpg' : 'pdf';
      form.set('file', new Blob([new Uint8Array(bytes)], { type: document.contentType }), `${document.id}.${extension}`);
      ids[document.id] = vendorParse(VENDOR, 'POST /documents', idSchema, await post('/documents', form, ctx)).id;
      await save(ids);
    }
    return ids;
  }

  /** Webhook first (looked at every inboxEveryMs), GET /checks/{id} every pollEveryMs; bounded by maxWaitMs. */
  async function awaitCompletion(checkId: string, ctx: CheckContext): Promise<'webhook' | 'poll'> {
    const deadline = Date.now() + config.maxWaitMs;
    const inboxEvery = config.inboxEveryMs ?? 100;
    let nextPoll = Date.now() + config.pollEveryMs;
    while (Date.now() < deadline) {
      if (await deps.inbox.has(VENDOR, checkId, 'check.completed')) return 'webhook';
      if (Date.now() >= nextPoll) {
        nextPoll = Date.now() + config.pollEveryMs;
        const check = vendorParse(VENDOR, 'GET /checks/{id}', checkSchema, await get(`/checks/${encodeURIComponent(checkId)}`, ctx));
        if (check.status === 'complete') return 'poll';
        if (check.status === 'withdrawn') return 'poll';
      }
      await sleep(Math.min(inboxEvery, Math.max(1, deadline - Date.now())), ctx.signal);
    }
    throw new VendorUnavailableError(VENDOR, `check ${checkId} not complete within ${config.maxWaitMs} ms`);
  }

  return {
    vendor: VENDOR,
    async verify(subject, ctx) {
      let record: KycVendorRecord = (await deps.records.find(ctx.idempotencyKey, VENDOR)) ?? { applicantId: null, documentIds: {}, checkId: null };
      const save = async (next: Partial<KycVendorRecord>) => {
        record = { ...record, ...next };
        await deps.records.save(ctx.idempotencyKey, VENDOR, record);
      };
      if (!record.applicantId) await save({ applicantId: await createApplicant(subject, ctx) });
      const applicantId = record.applicantId!;
      const documentIds = await uploadDocuments(subject, applicantId, record.documentIds, ctx, (ids) => save({ documentIds: ids }));
      const uploaded = Object.values(documentIds);
      const reportNames = uploaded.length > 0 ? ['document', 'watchlist_standard'] : ['watchlist_standard'];
      if (!record.checkId) {
        const body = { applicant_id: applicantId, report_names: reportNames, ...(uploaded.length > 0 ? { document_ids: uploaded } : {}), tags: [`application:${subject.applicationId}`] };
        await save({ checkId: vendorParse(VENDOR, 'POST /checks', checkSchema, await post('/checks', JSON.stringify(body), ctx)).id });
      }
      const checkId = record.checkId!;
      const completedBy = await awaitCompletion(checkId, ctx);
      const check = vendorParse(VENDOR, 'GET /checks/{id}', checkSchema, await get(`/checks/${encodeURIComponent(checkId)}`, ctx));
      const { reports } = vendorParse(VENDOR, 'GET /reports', reportsSchema, await get(`/reports?check_id=${encodeURIComponent(checkId)}`, ctx));
      return interpretOnfido({ checkId, applicantId, checkStatus: check.status, checkResult: check.result ?? null, reports, documentsUploaded: uploaded.length, completedBy });
    },
  };
}

type OnfidoReport = z.infer<typeof reportSchema>;

/** Onfido's answer as a KYC verification: clear → clear; a rejected document → rejected; any other consider → consider. */
export function interpretOnfido(input: { checkId: string; applicantId: string; checkStatus: string; checkResult: string | null; reports: readonly OnfidoReport[]; documentsUploaded: number; completedBy: 'webhook' | 'poll' }): KycVerification {
  const findings: CheckReason[] = [];
  let rejected = false;
  for (const report of input.reports) {
    if (report.result === 'clear') continue;
    const failing = Object.entries(report.breakdown ?? {}).filter(([, v]) => v.result && v.result !== 'clear').map(([k]) => k);
    if (report.sub_result === 'rejected') rejected = true;
    findings.push({
      code: report.name === 'document' ? 'kyc-document-consider' : report.name.startsWith('watchlist') ? 'kyc-watchlist-consider' : `kyc-${report.name}-consider`,
      detail: `Onfido ${report.name} report: ${report.result ?? report.status}${report.sub_result ? ` (sub_result ${report.sub_result})` : ''}${failing.length ? `; breakdown not clear: ${failing.join(', ')}` : ''}`,
    });
  }
  if (input.checkStatus !== 'complete') findings.push({ code: 'kyc-check-not-complete', detail: `Onfido check ${input.checkId} is ${input.checkStatus}` });
  if (input.documentsUploaded === 0) findings.push({ code: 'identity-document-missing', detail: 'No identity document was uploaded, so only the watchlist report ran' });
  const result = rejected ? 'rejected' : findings.length === 0 && input.checkResult === 'clear' ? 'clear' : 'consider';
  return {
    vendor: VENDOR,
    vendorReference: input.checkId,
    result,
    findings,
    evidence: {
      vendor: VENDOR,
      applicantId: input.applicantId,
      checkId: input.checkId,
      checkResult: input.checkResult,
      completedBy: input.completedBy,
      documentsUploaded: input.documentsUploaded,
      reports: input.reports.map((r) => ({ id: r.id, name: r.name, result: r.result, subResult: r.sub_result ?? null, breakdown: Object.fromEntries(Object.entries(r.breakdown ?? {}).map(([k, v]) => [k, v.result ?? null])) })),
    },
  };
}
