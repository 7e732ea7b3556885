/**
 * e-sign and eStamp sandbox: two vendor protocols in one process.
 *
 * DocuSign eSignature REST API v2.1 (developers.docusign.com/docs/esign-rest-api), `Authorization: Bearer
 * <access token>`, errors `{errorCode, message}`:
 * - `POST /restapi/v2.1/accounts/{accountId}/envelopes`: an EnvelopeDefinition with `documents[]`
 *   (`documentBase64`, `documentId`, `name`, `fileExtension`), `recipients.signers[]` (`email`, `name`,
 *   `recipientId`, `clientUserId` for embedded signing), `status: "sent"` and an optional `transactionId` →
 *   201 `{envelopeId, uri, statusDateTime, status}`.
 * - `GET …/envelopes?transaction_ids=a,b` lists the envelopes created with those transaction ids (DocuSign
 *   keeps them 7 days): how a sender whose create answer was lost finds the envelope instead of sending twice.
 * - `GET …/envelopes/{envelopeId}`; `POST …/envelopes/{envelopeId}/views/recipient` (`returnUrl`, `userName`,
 *   `email`, `clientUserId`, `authenticationMethod`) → 201 `{url}`, the embedded signing URL.
 * - `GET …/envelopes/{envelopeId}/audit_events` → `{auditEvents: [{eventFields: [{name, value}]}]}` with
 *   logTime, Source, UserName, Action, Message, EnvelopeStatus, ClientIPAddress, Information.
 * - Connect (connect.ts): `recipient-delivered` when the signer views, `envelope-completed` when they sign
 *   (with `envelopeDocuments[].PDFBytes`, the signed document), `envelope-declined`, `envelope-voided`.
 *
 * The eStamp vendor's certificate API: estamp.ts.
 *
 * Sandbox-only controls (the signer acting, and the vendor misbehaving): `POST /sandbox/envelopes/{id}/view
 * {ip?}`, `/sign {ip?, tamper?}` (tamper: the completed document differs from the one sent; signing an
 * envelope already completed reports completion again, as a vendor repeating itself would),
 * `/decline {reason, ip?}`, `/void {reason}`, `POST /sandbox/connect/redeliver {envelopeId}` (the last event's
 * exact bytes again), `POST /sandbox/faults` (DocuSign routes only), `GET /sandbox/state`. With
 * `autoSignDelayMs` > 0 the signer views and signs by itself after that delay.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerFaultControl } from '../../lib/index.js';
import { createConnectSender, type ConnectDelivery } from './connect.js';
import { registerEStamp } from './estamp.js';

export interface ESignSandboxOptions {
  readonly accountId: string;
  readonly accessToken: string;
  readonly connectHmacKey: string;
  readonly connectUrl?: string | undefined;
  readonly estampApiKey: string;
  readonly autoSignDelayMs: number;
  readonly maxItems: number;
  readonly logger?: boolean | { level: string };
}

interface AuditEvent { logTime: string; Source: string; UserName: string; Action: string; Message: string; EnvelopeStatus: string; ClientIPAddress: string; Information: string }
interface Signer {
  recipientId: string; name: string; email: string; clientUserId: string | null; status: 'sent' | 'delivered' | 'completed' | 'declined';
  sentDateTime: string; deliveredDateTime: string | null; signedDateTime: string | null; declinedDateTime: string | null; declinedReason: string | null;
}
interface Envelope {
  envelopeId: string; status: 'sent' | 'delivered' | 'completed' | 'declined' | 'voided'; transactionId: string | null; emailSubject: string;
  documents: { documentId: string; name: string; bytes: Buffer }[]; signer: Signer; createdDateTime: string; sentDateTime: string;
  completedDateTime: string | null; declinedDateTime: string | null; voidedDateTime: string | null; voidedReason: string | null; events: AuditEvent[];
}
interface EnvelopeBody {
  emailSubject?: unknown; status?: unknown; transactionId?: unknown;
  documents?: { documentBase64?: unknown; documentId?: unknown; name?: unknown; fileExtension?: unknown }[];
  recipients?: { signers?: { email?: unknown; name?: unknown; recipientId?: unknown; clientUserId?: unknown }[] };
}

const SENDER = 'Lendstack Sandbox Sender';
const SERVER_IP = '10.0.0.1';
const error = (errorCode: string, message: string) => ({ errorCode, message });
const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

export function buildESignSandbox(options: ESignSandboxOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 25 * 1024 * 1024 });
  const envelopes = new Map<string, Envelope>();
  const timers = new Set<NodeJS.Timeout>();
  const faults = registerFaultControl(app);
  const stamp = registerEStamp(app, { apiKey: options.estampApiKey, maxItems: options.maxItems });
  const connect = createConnectSender({ url: options.connectUrl, hmacKey: options.connectHmacKey, maxAttempts: 5, initialBackoffMs: 200, maxBackoffMs: 5_000, timeoutMs: 10_000, maxRemembered: 1_000, log: (m, f) => app.log.warn(f, m) });
  const expectedAuth = Buffer.from(`Bearer ${options.accessToken}`);
  const base = `/restapi/v2.1/accounts/${options.accountId}`;
  const later = (ms: number, fn: () => void) => { const t = setTimeout(() => { timers.delete(t); fn(); }, ms); timers.add(t); };
  app.addHook('onClose', async () => { for (const t of timers) clearTimeout(t); connect.close(); });

  const guard = async (request: FastifyRequest<{ Params: { accountId?: string } }>, reply: FastifyReply) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expectedAuth.length || !timingSafeEqual(given, expectedAuth)) return reply.status(401).send(error('AUTHORIZATION_INVALID_TOKEN', 'The access token provided is expired, revoked or malformed.'));
    if (request.params.accountId !== undefined && request.params.accountId !== options.accountId) return reply.status(400).send(error('ACCOUNT_LACKS_PERMISSIONS', 'This account lacks sufficient permissions.'));
    if (faults.before > 0) { faults.before -= 1; return reply.status(faults.status).send(error('SANDBOX_FAULT', 'sandbox fault before the request was processed')); }
    return undefined;
  };
  const record = (e: Envelope, action: string, message: string, ip: string, userName = e.signer.name) =>
    e.events.push({ logTime: new Date().toISOString(), Source: action === 'Registered' || action === 'Sent Invitations' ? 'API' : 'Web', UserName: userName, Action: action, Message: message, EnvelopeStatus: e.status, ClientIPAddress: ip, Information: '' });
  const summary = (e: Envelope, withDocuments: boolean) => ({
    envelopeId: e.envelopeId, status: e.status, emailSubject: e.emailSubject, transactionId: e.transactionId ?? undefined, createdDateTime: e.createdDateTime, sentDateTime: e.sentDateTime,
    completedDateTime: e.completedDateTime ?? undefined, declinedDateTime: e.declinedDateTime ?? undefined, voidedDateTime: e.voidedDateTime ?? undefined, voidedReason: e.voidedReason ?? undefined,
    recipients: { signers: [{ ...e.signer, clientUserId: e.signer.clientUserId ?? undefined, deliveredDateTime: e.signer.deliveredDateTime ?? undefined, signedDateTime: e.signer.signedDateTime ?? undefined, declinedDateTime: e.signer.declinedDateTime ?? undefined, declinedReason: e.signer.declinedReason ?? undefined }] },
    ...(withDocuments ? { envelopeDocuments: e.documents.map((d) => ({ documentId: d.documentId, name: d.name, type: 'content', PDFBytes: d.bytes.toString('base64') })) } : {}),
  });
  const publish = (event: string, e: Envelope, withDocuments = false) =>
    connect.send(event, e.envelopeId, { uri: `${base}/envelopes/${e.envelopeId}`, data: { accountId: options.accountId, userId: 'sandbox-user', envelopeId: e.envelopeId, envelopeSummary: summary(e, withDocuments) } });

  const view = (e: Envelope, ip: string) => {
    if (e.signer.deliveredDateTime) return;
    e.signer.deliveredDateTime = new Date().toISOString();
    e.signer.status = 'delivered';
    e.status = 'delivered';
    record(e, 'Viewed', `${e.signer.name} viewed the envelope [Documents: ${e.documents.map((d) => d.name).join(', ')}]`, ip);
    publish('recipient-delivered', e);
  };
  const sign = (e: Envelope, ip: string, tamper: boolean) => {
    view(e, ip);
    const at = new Date().toISOString();
    if (e.status !== 'completed') {
      e.signer.signedDateTime = at;
      e.signer.status = 'completed';
      e.status = 'completed';
      e.completedDateTime = at;
      record(e, 'Signed', `${e.signer.name} signed the envelope`, ip);
    }
    // A tampered completion: the document reported signed is not the one that was sent.
    if (tamper) e.documents = e.documents.map((d) => ({ ...d, bytes: Buffer.concat([d.bytes, Buffer.from(`\n% amended after sending ${at}\n`)]) }));
    publish('envelope-completed', e, true);
  };

  app.get('/health', async () => ({ status: 'ok' }));

  app.post<{ Params: { accountId: string }; Body: EnvelopeBody }>('/restapi/v2.1/accounts/:accountId/envelopes', { preHandler: guard }, async (request, reply) => {
    const b = request.body ?? {};
    if (b.status !== 'sent') return reply.status(400).send(error('INVALID_REQUEST_PARAMETER', 'This sandbox creates envelopes with status "sent" only.'));
    if (!str(b.emailSubject)) return reply.status(400).send(error('INVALID_EMAIL_SUBJECT', 'emailSubject is required.'));
    const docs = b.documents ?? [];
    if (docs.length === 0 || docs.some((d) => !str(d.documentBase64) || !str(d.documentId) || !str(d.name))) return reply.status(400).send(error('ENVELOPE_IS_INCOMPLETE', 'Each document needs documentBase64, documentId and name.'));
    const signers = b.recipients?.signers ?? [];
    const s = signers[0];
    if (signers.length !== 1 || !s || !str(s.email) || !str(s.name) || !str(s.recipientId)) return reply.status(400).send(error('INVALID_RECIPIENT', 'Exactly one signer with email, name and recipientId.'));
    if (b.transactionId !== undefined && !str(b.transactionId)) return reply.status(400).send(error('INVALID_REQUEST_PARAMETER', 'transactionId is a string.'));
    while (envelopes.size >= options.maxItems) envelopes.delete(envelopes.keys().next().value as string);
    const now = new Date().toISOString();
    const e: Envelope = {
      envelopeId: randomUUID(), status: 'sent', transactionId: (b.transactionId as string | undefined) ?? null, emailSubject: b.emailSubject,
      documents: docs.map((d) => ({ documentId: d.documentId as string, name: d.name as string, bytes: Buffer.from(d.documentBase64 as string, 'base64') })),
      signer: { recipientId: s.recipientId, name: s.name, email: s.email, clientUserId: str(s.clientUserId) ? s.clientUserId : null, status: 'sent', sentDateTime: now, deliveredDateTime: null, signedDateTime: null, declinedDateTime: null, declinedReason: null },
      createdDateTime: now, sentDateTime: now, completedDateTime: null, declinedDateTime: null, voidedDateTime: null, voidedReason: null, events: [],
    };
    record(e, 'Registered', 'The envelope was created', SERVER_IP, SENDER);
    record(e, 'Sent Invitations', `${SENDER} sent an invitation to ${e.signer.name} [${e.signer.email}]`, SERVER_IP, SENDER);
    envelopes.set(e.envelopeId, e);
    if (options.autoSignDelayMs > 0) later(options.autoSignDelayMs, () => sign(e, '203.0.113.10', false));
    const answer = { envelopeId: e.envelopeId, uri: `/envelopes/${e.envelopeId}`, statusDateTime: now, status: 'sent' };
    if (faults.after > 0) { faults.after -= 1; return reply.status(faults.status).send(error('SANDBOX_FAULT', 'sandbox fault after the envelope was created')); }
    return reply.status(201).send(answer);
  });

  app.get<{ Params: { accountId: string }; Querystring: { transaction_ids?: string } }>('/restapi/v2.1/accounts/:accountId/envelopes', { preHandler: guard }, async (request, reply) => {
    const ids = (request.query.transaction_ids ?? '').split(',').filter(Boolean);
    if (ids.length === 0) return reply.status(400).send(error('INVALID_REQUEST_PARAMETER', 'This sandbox lists envelopes by transaction_ids only.'));
    const found = [...envelopes.values()].filter((e) => e.transactionId && ids.includes(e.transactionId)).map((e) => summary(e, false));
    return { resultSetSize: String(found.length), totalSetSize: String(found.length), envelopes: found };
  });

  const envelopeOf = (request: FastifyRequest<{ Params: { envelopeId: string } }>, reply: FastifyReply) => {
    const e = envelopes.get(request.params.envelopeId);
    if (!e) void reply.status(404).send(error('ENVELOPE_DOES_NOT_EXIST', 'The envelope specified either does not exist or you have no rights to the envelope.'));
    return e;
  };
  app.get<{ Params: { accountId: string; envelopeId: string } }>('/restapi/v2.1/accounts/:accountId/envelopes/:envelopeId', { preHandler: guard }, async (request, reply) => {
    const e = envelopeOf(request, reply);
    return e ? summary(e, false) : reply;
  });
  app.post<{ Params: { accountId: string; envelopeId: string }; Body: { clientUserId?: unknown; userName?: unknown; email?: unknown; returnUrl?: unknown } }>('/restapi/v2.1/accounts/:accountId/envelopes/:envelopeId/views/recipient', { preHandler: guard }, async (request, reply) => {
    const e = envelopeOf(request, reply);
    if (!e) return reply;
    const b = request.body ?? {};
    if (!str(b.returnUrl)) return reply.status(400).send(error('INVALID_REQUEST_PARAMETER', 'returnUrl is required.'));
    if (b.clientUserId !== e.signer.clientUserId || b.email !== e.signer.email || b.userName !== e.signer.name) return reply.status(400).send(error('UNKNOWN_ENVELOPE_RECIPIENT', 'The recipient you have identified is not a valid recipient of the specified envelope.'));
    const token = createHash('sha256').update(`${e.envelopeId}:${e.signer.clientUserId}`).digest('hex').slice(0, 24);
    return reply.status(201).send({ url: `http://${request.headers.host}/signing/${e.envelopeId}?ticket=${token}` });
  });
  app.get<{ Params: { accountId: string; envelopeId: string } }>('/restapi/v2.1/accounts/:accountId/envelopes/:envelopeId/audit_events', { preHandler: guard }, async (request, reply) => {
    const e = envelopeOf(request, reply);
    return e ? { auditEvents: e.events.map((ev) => ({ eventFields: Object.entries(ev).map(([name, value]) => ({ name, value })) })) } : reply;
  });

  // ---- sandbox controls: the signer, and the vendor misbehaving ----------------------------------------
  const controlled = (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const e = envelopes.get(request.params.id);
    if (!e) void reply.status(404).send(error('ENVELOPE_DOES_NOT_EXIST', `no envelope ${request.params.id}`));
    return e;
  };
  app.post<{ Params: { id: string }; Body: { ip?: string } | null }>('/sandbox/envelopes/:id/view', async (request, reply) => {
    const e = controlled(request, reply);
    if (!e) return reply;
    view(e, request.body?.ip ?? '203.0.113.10');
    return summary(e, false);
  });
  app.post<{ Params: { id: string }; Body: { ip?: string; tamper?: boolean } | null }>('/sandbox/envelopes/:id/sign', async (request, reply) => {
    const e = controlled(request, reply);
    if (!e) return reply;
    if (e.status === 'declined' || e.status === 'voided') return reply.status(409).send(error('ENVELOPE_CANNOT_BE_SIGNED', `the envelope is ${e.status}`));
    sign(e, request.body?.ip ?? '203.0.113.10', request.body?.tamper === true);
    return summary(e, false);
  });
  app.post<{ Params: { id: string }; Body: { reason?: string; ip?: string } | null }>('/sandbox/envelopes/:id/decline', async (request, reply) => {
    const e = controlled(request, reply);
    if (!e) return reply;
    if (e.status === 'completed' || e.status === 'voided') return reply.status(409).send(error('ENVELOPE_CANNOT_BE_DECLINED', `the envelope is ${e.status}`));
    view(e, request.body?.ip ?? '203.0.113.10');
    const at = new Date().toISOString();
    Object.assign(e, { status: 'declined', declinedDateTime: at });
    Object.assign(e.signer, { status: 'declined', declinedDateTime: at, declinedReason: request.body?.reason ?? 'No reason given' });
    record(e, 'Declined', `${e.signer.name} declined to sign the envelope: ${e.signer.declinedReason}`, request.body?.ip ?? '203.0.113.10');
    publish('envelope-declined', e);
    return summary(e, false);
  });
  app.post<{ Params: { id: string }; Body: { reason?: string } | null }>('/sandbox/envelopes/:id/void', async (request, reply) => {
    const e = controlled(request, reply);
    if (!e) return reply;
    Object.assign(e, { status: 'voided', voidedDateTime: new Date().toISOString(), voidedReason: request.body?.reason ?? 'Voided by the sender' });
    record(e, 'Voided', `${SENDER} voided the envelope: ${e.voidedReason}`, SERVER_IP, SENDER);
    publish('envelope-voided', e);
    return summary(e, false);
  });
  app.post<{ Body: { envelopeId?: string } | null }>('/sandbox/connect/redeliver', async (request, reply) => {
    const last = [...connect.deliveries()].reverse().find((d: ConnectDelivery) => d.envelopeId === request.body?.envelopeId);
    if (!last) return reply.status(404).send(error('NO_DELIVERY', `no Connect event for envelope ${request.body?.envelopeId}`));
    connect.redeliver(last);
    return { redelivered: last.event };
  });
  app.get('/sandbox/state', async () => ({
    envelopes: [...envelopes.values()].map((e) => ({ ...summary(e, false), documents: e.documents.map((d) => ({ documentId: d.documentId, name: d.name, sha256: createHash('sha256').update(d.bytes).digest('hex') })) })),
    connect: connect.deliveries().map(({ body: _body, ...d }) => d),
    certificates: [...stamp.certificates.values()],
  }));
  return app;
}
