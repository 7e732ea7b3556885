/**
 * The slice of the Onfido API v3.6 this sandbox speaks, from the official OpenAPI spec
 * (github.com/onfido/onfido-openapi-spec `openapi.yaml`, `paths/*.yaml`, `schemas/**`):
 * - `Authorization: Token token=<API_TOKEN>`; errors `{"error":{type,message,fields}}`.
 * - `POST /v3.6/applicants` (first_name, last_name required, pattern `^[^!#$%*=<>;{}"]*$`; email, dob,
 *   id_numbers[], phone_number, location) → 201; `GET /v3.6/applicants/{id}`.
 * - `POST /v3.6/documents` multipart (applicant_id, file, type required; side, issuing_country); "valid file
 *   types are: jpg, png and pdf. The file size must be between 2KB and 3MB" → 201.
 * - `POST /v3.6/checks` (applicant_id, report_names[] required; document_ids[], tags[]; sandbox-only
 *   `consider[]` forces a report to consider) → 201 status in_progress; `GET /v3.6/checks/{id}`.
 * - `GET /v3.6/reports?check_id=` → `{reports:[…]}`, `GET /v3.6/reports/{id}`; report status/result/sub_result,
 *   document and watchlist breakdowns as in schemas/reports.
 * - Webhooks `check.completed` / `report.completed` (see webhooks.ts).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { onfidoBehaviour, type OnfidoBehaviour } from './triggers.js';
import type { createOnfidoWebhookSender } from './webhooks.js';

export interface OnfidoSandboxOptions {
  readonly apiToken: string;
  readonly checkDelayMs: number;
  readonly maxRecords: number;
  readonly webhooks: ReturnType<typeof createOnfidoWebhookSender>;
  /** Fired on close: pending timers and hung requests end. */
  readonly onClose: (stop: () => void) => void;
}

type Json = Record<string, unknown>;
interface Applicant extends Json { id: string; last_name: string }
interface Check extends Json { id: string; status: string; result: string | null; report_ids: string[]; applicant_id: string }
interface Report extends Json { id: string; name: string; status: string; result: string | null; sub_result: string | null; check_id: string }

const REPORT_NAMES = new Set(['document', 'facial_similarity_photo', 'identity_enhanced', 'watchlist_standard', 'watchlist_aml', 'watchlist_enhanced', 'watchlist_peps_only', 'watchlist_sanctions_only', 'proof_of_address', 'india_pan']);
const NAME_PATTERN = /^[^!#$%*=<>;{}"]*$/;
const DOC_MIN_BYTES = 2 * 1024;
const DOC_MAX_BYTES = 3 * 1024 * 1024;
const BASE = '/v3.6';
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export const onfidoError = (type: string, message: string, fields: Record<string, string[]> = {}) => ({ error: { type, message, fields } });

/** Sniffs jpg/png/pdf by their magic bytes; Onfido refuses anything else. */
export function sniffFileType(bytes: Buffer): 'jpg' | 'png' | 'pdf' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 5 && bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  return undefined;
}

export function registerOnfidoRoutes(app: FastifyInstance, options: OnfidoSandboxOptions): { state: () => Json } {
  const applicants = new Map<string, Applicant>();
  const documents = new Map<string, Json>();
  const checks = new Map<string, Check>();
  const reports = new Map<string, Report>();
  const timers = new Set<NodeJS.Timeout>();
  const hung = new Set<FastifyReply>();
  const expected = Buffer.from(`Token token=${options.apiToken}`);
  options.onClose(() => {
    for (const timer of timers) clearTimeout(timer);
    for (const reply of hung) void reply.status(504).send(onfidoError('timeout', 'sandbox closing'));
  });

  const bound = <V>(map: Map<string, V>, id: string, value: V) => {
    while (map.size >= options.maxRecords) map.delete(map.keys().next().value as string);
    map.set(id, value);
  };
  const authorised = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    void reply.status(401).send(onfidoError('authorization_error', 'Authorization error: please re-check your credentials'));
    return false;
  };
  /** Applies a fault chosen by test data; true when the request was answered (or left hanging) by it. */
  const faulted = (behaviour: OnfidoBehaviour, reply: FastifyReply): boolean => {
    if (behaviour.fault === 'server-error') return void reply.status(500).send(onfidoError('internal_server_error', 'Something went wrong')), true;
    if (behaviour.fault === 'malformed-json') return void reply.status(201).type('application/json').send('{"id": "5a1f0c7e-'), true;
    if (behaviour.fault === 'timeout') {
      hung.add(reply);
      const timer = setTimeout(() => {
        hung.delete(reply);
        timers.delete(timer);
        void reply.status(504).send(onfidoError('timeout', 'Gateway timeout'));
      }, 30_000);
      timers.add(timer);
      return true;
    }
    return false;
  };

  app.post<{ Body: Json }>(`${BASE}/applicants`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const body = (request.body ?? {}) as Json;
    const fields: Record<string, string[]> = {};
    for (const name of ['first_name', 'last_name'] as const) {
      const value = body[name];
      if (typeof value !== 'string' || value.trim() === '') fields[name] = ["can't be blank"];
      else if (!NAME_PATTERN.test(value)) fields[name] = ['contains invalid characters'];
    }
    if (body.dob !== undefined && (typeof body.dob !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(body.dob))) fields.dob = ['must be a date YYYY-MM-DD'];
    if (Object.keys(fields).length > 0) return reply.status(422).send(onfidoError('validation_error', 'There was a validation error on this request', fields));
    if (faulted(onfidoBehaviour(String(body.last_name)), reply)) return reply;
    const id = randomUUID();
    const applicant: Applicant = {
      id, created_at: now(), delete_at: null, href: `${BASE}/applicants/${id}`, sandbox: true,
      first_name: body.first_name, last_name: String(body.last_name), email: body.email ?? null, dob: body.dob ?? null,
      id_numbers: Array.isArray(body.id_numbers) ? body.id_numbers : [], phone_number: body.phone_number ?? null, address: body.address ?? null, location: body.location ?? null,
    };
    bound(applicants, id, applicant);
    return reply.status(201).send(applicant);
  });

  app.get<{ Params: { id: string } }>(`${BASE}/applicants/:id`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const applicant = applicants.get(request.params.id);
    return applicant ?? reply.status(404).send(onfidoError('resource_not_found', 'The resource could not be found'));
  });

  app.post(`${BASE}/documents`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    if (!request.isMultipart()) return reply.status(422).send(onfidoError('validation_error', 'multipart/form-data expected', { file: ["can't be blank"] }));
    const fields: Record<string, string> = {};
    let file: { bytes: Buffer; filename: string } | undefined;
    for await (const part of request.parts({ limits: { fileSize: DOC_MAX_BYTES + 1, files: 1, fields: 10 } })) {
      if (part.type === 'file') file = { bytes: await part.toBuffer(), filename: part.filename };
      else fields[part.fieldname] = String(part.value);
    }
    const errors: Record<string, string[]> = {};
    const applicant = fields.applicant_id ? applicants.get(fields.applicant_id) : undefined;
    if (!applicant) errors.applicant_id = [fields.applicant_id ? 'not found' : "can't be blank"];
    if (!fields.type) errors.type = ["can't be blank"];
    const fileType = file ? sniffFileType(file.bytes) : undefined;
    if (!file) errors.file = ["can't be blank"];
    else if (!fileType) errors.file = ['valid file types are: jpg, png and pdf'];
    else if (file.bytes.length < DOC_MIN_BYTES || file.bytes.length > DOC_MAX_BYTES) errors.file = ['The file size must be between 2KB and 3MB'];
    if (Object.keys(errors).length > 0 || !file || !applicant) return reply.status(422).send(onfidoError('validation_error', 'There was a validation error on this request', errors));
    const id = randomUUID();
    const document = {
      id, created_at: now(), href: `${BASE}/documents/${id}`, download_href: `${BASE}/documents/${id}/download`,
      file_name: file.filename, file_type: fileType, file_size: file.bytes.length, type: fields.type, side: fields.side ?? null,
      issuing_country: fields.issuing_country ?? null, applicant_id: applicant.id,
    };
    bound(documents, id, document);
    return reply.status(201).send(document);
  });

  app.post<{ Body: Json }>(`${BASE}/checks`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const body = (request.body ?? {}) as Json;
    const applicant = typeof body.applicant_id === 'string' ? applicants.get(body.applicant_id) : undefined;
    const names = Array.isArray(body.report_names) ? body.report_names.map(String) : [];
    const documentIds = Array.isArray(body.document_ids) ? body.document_ids.map(String) : [];
    const errors: Record<string, string[]> = {};
    if (!applicant) errors.applicant_id = [body.applicant_id ? 'not found' : "can't be blank"];
    if (names.length === 0) errors.report_names = ["can't be blank"];
    else if (names.some((n) => !REPORT_NAMES.has(n))) errors.report_names = [`unknown report name: ${names.filter((n) => !REPORT_NAMES.has(n)).join(', ')}`];
    if (names.includes('document') && documentIds.length === 0) errors.document_ids = ['a document report needs document_ids'];
    if (documentIds.some((d) => (documents.get(d) as { applicant_id?: string } | undefined)?.applicant_id !== applicant?.id)) errors.document_ids = ['unknown document for this applicant'];
    if (Object.keys(errors).length > 0 || !applicant) return reply.status(422).send(onfidoError('validation_error', 'There was a validation error on this request', errors));
    const behaviour = onfidoBehaviour(applicant.last_name);
    if (faulted(behaviour, reply)) return reply;
    const forced = new Set([...behaviour.consider, ...(Array.isArray(body.consider) ? body.consider.map(String) : [])]);
    // A surname that forces a document consider still forces one when no document report runs.
    if (behaviour.consider.includes('document') && !names.includes('document')) forced.add(names[0]!);
    const id = randomUUID();
    const check: Check = {
      id, created_at: now(), status: 'in_progress', result: null, href: `${BASE}/checks/${id}`, results_uri: `https://dashboard.onfido.com/checks/${id}`,
      form_uri: null, redirect_uri: null, applicant_id: applicant.id, applicant_provides_data: false, tags: Array.isArray(body.tags) ? body.tags : [], sandbox: true, report_ids: [],
    };
    for (const name of names) {
      const report = buildReport(name, check.id, applicant, documentIds, forced.has(name), behaviour.documentSubResult);
      bound(reports, report.id, report);
      check.report_ids.push(report.id);
    }
    bound(checks, id, check);
    const timer = setTimeout(() => {
      timers.delete(timer);
      const own = check.report_ids.map((r) => reports.get(r)).filter((r): r is Report => r !== undefined);
      for (const report of own) report.status = 'complete';
      check.status = 'complete';
      check.result = own.some((r) => r.result === 'consider') ? 'consider' : 'clear';
      if (behaviour.silent) return;
      for (const report of own) options.webhooks.send('report', 'report.completed', webhookObject(report.id, 'complete', check.created_at as string, `${BASE}/reports/${report.id}`));
      options.webhooks.send('check', 'check.completed', webhookObject(check.id, 'complete', check.created_at as string, check.href as string));
    }, options.checkDelayMs);
    timers.add(timer);
    if (!behaviour.silent) options.webhooks.send('check', 'check.started', { id, status: 'in_progress', started_at_iso8601: check.created_at as string, completed_at_iso8601: null, href: check.href as string });
    return reply.status(201).send(check);
  });

  app.get<{ Params: { id: string } }>(`${BASE}/checks/:id`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    return checks.get(request.params.id) ?? reply.status(404).send(onfidoError('resource_not_found', 'The resource could not be found'));
  });

  app.get<{ Querystring: { check_id?: string } }>(`${BASE}/reports`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const check = request.query.check_id ? checks.get(request.query.check_id) : undefined;
    if (!check) return reply.status(422).send(onfidoError('validation_error', 'There was a validation error on this request', { check_id: [request.query.check_id ? 'not found' : "can't be blank"] }));
    return { reports: check.report_ids.map((id) => reports.get(id)).filter(Boolean) };
  });

  app.get<{ Params: { id: string } }>(`${BASE}/reports/:id`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    return reports.get(request.params.id) ?? reply.status(404).send(onfidoError('resource_not_found', 'The resource could not be found'));
  });

  return {
    state: () => ({
      applicants: [...applicants.values()],
      documents: [...documents.values()],
      checks: [...checks.values()],
      deliveries: options.webhooks.deliveries(),
    }),
  };
}

const webhookObject = (id: string, status: string, startedAt: string, href: string) => ({ id, status, started_at_iso8601: startedAt, completed_at_iso8601: now(), href });

function buildReport(name: string, checkId: string, applicant: Applicant, documentIds: string[], consider: boolean, subResult: string): Report {
  const id = randomUUID();
  const result = consider ? 'consider' : 'clear';
  const base = { id, created_at: now(), href: `${BASE}/reports/${id}`, name, status: 'awaiting_data', result, check_id: checkId, documents: documentIds.map((d) => ({ id: d })) };
  if (name === 'document') {
    const failing = subResult === 'rejected' ? 'data_validation' : subResult === 'suspected' ? 'visual_authenticity' : 'image_integrity';
    const keys = ['data_comparison', 'data_validation', 'image_integrity', 'visual_authenticity', 'data_consistency', 'police_record', 'compromised_document', 'age_validation'];
    return {
      ...base,
      sub_result: consider ? subResult : 'clear',
      breakdown: Object.fromEntries(keys.map((k) => [k, { result: consider && k === failing ? 'consider' : 'clear', breakdown: {} }])),
      properties: { first_name: applicant.first_name, last_name: applicant.last_name, date_of_birth: applicant.dob, document_type: 'national_identity_card' },
    };
  }
  if (name.startsWith('watchlist')) {
    const keys = name === 'watchlist_aml' ? ['sanction', 'politically_exposed_person', 'legal_and_regulatory_warnings', 'adverse_media'] : ['sanction', 'politically_exposed_person', 'legal_and_regulatory_warnings'];
    return {
      ...base,
      sub_result: null,
      breakdown: Object.fromEntries(keys.map((k) => [k, { result: consider && k === 'sanction' ? 'consider' : 'clear' }])),
      properties: { records: consider ? [{ full_name: `${String(applicant.first_name)} ${applicant.last_name}`, sources: [{ type: 'sanction', name: 'Sandbox list' }] }] : [] },
    };
  }
  return { ...base, sub_result: null, breakdown: {}, properties: {} };
}
