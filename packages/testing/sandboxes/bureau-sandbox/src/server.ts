/**
 * A credit bureau's consumer-report API, as a sandbox. No bureau publishes its interface openly (CIBIL's TUEF
 * and the US bureaus' formats are licensed), so this is a plain JSON API carrying Metro 2 field names
 * (reports.ts): `POST /v1/credit-reports` with `x-api-key` and a required `Idempotency-Key` (a hard enquiry
 * must not be made twice for one retried request: the same key and body return the same report, another
 * body with it is 422), body `{consumer:{name:{given,family}, dateOfBirth, nationalId:{type,value}, country},
 * purpose}` → 201 report; `GET /v1/credit-reports/{id}`. Errors: `{error:{code,message,field}}`.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { bureauScenario, buildReport, type CreditReport } from './reports.js';

export interface BureauSandboxOptions {
  readonly apiKey: string;
  readonly maxReports: number;
  readonly logger?: boolean | { level: string };
}

const error = (code: string, message: string, field: string | null = null) => ({ error: { code, message, field } });

export function buildBureauSandbox(options: BureauSandboxOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 });
  const reports = new Map<string, CreditReport>();
  const byKey = new Map<string, { reportId: string; hash: string }>();
  const timers = new Set<NodeJS.Timeout>();
  const expected = Buffer.from(options.apiKey);
  let calls = 0;

  const authorised = (request: FastifyRequest, reply: FastifyReply) => {
    const given = Buffer.from(String(request.headers['x-api-key'] ?? ''));
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    void reply.status(401).send(error('unauthorized', 'Invalid API key', 'x-api-key'));
    return false;
  };

  app.get('/health', async () => ({ status: 'ok' }));

  app.post<{ Body: { consumer?: { nationalId?: { value?: unknown }; name?: { given?: unknown; family?: unknown }; country?: unknown } } }>('/v1/credit-reports', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    calls += 1;
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length < 8 || key.length > 200) return reply.status(400).send(error('idempotency-key-required', 'Idempotency-Key (8-200 characters) is required', 'Idempotency-Key'));
    const consumer = request.body?.consumer ?? {};
    const nationalId = consumer?.nationalId?.value;
    const given = consumer?.name?.given;
    const family = consumer?.name?.family;
    if (typeof nationalId !== 'string' || nationalId.length < 4) return reply.status(422).send(error('invalid', 'consumer.nationalId.value is required', 'consumer.nationalId.value'));
    if (typeof given !== 'string' || typeof family !== 'string') return reply.status(422).send(error('invalid', 'consumer.name.given and family are required', 'consumer.name'));
    if (typeof consumer.country !== 'string' || !/^[A-Z]{2}$/.test(consumer.country)) return reply.status(422).send(error('invalid', 'consumer.country must be ISO 3166 alpha-2', 'consumer.country'));
    const hash = createHash('sha256').update(JSON.stringify(request.body)).digest('hex');
    const earlier = byKey.get(key);
    if (earlier) {
      if (earlier.hash !== hash) return reply.status(422).send(error('idempotency-key-reused', 'This Idempotency-Key was used with another request', 'Idempotency-Key'));
      const report = reports.get(earlier.reportId);
      if (report) return reply.status(200).header('idempotent-replayed', 'true').send(report);
    }
    const { fault } = bureauScenario(nationalId);
    if (fault === 'server-error') return reply.status(500).send(error('internal', 'Bureau system unavailable'));
    if (fault === 'malformed-json') return reply.status(201).type('application/json').send('{"id":"rpt_');
    if (fault === 'timeout') {
      await new Promise<void>((resolve) => timers.add(setTimeout(resolve, 30_000)));
      return reply.status(504).send(error('timeout', 'Gateway timeout'));
    }
    const report = buildReport({ id: `rpt_${randomUUID().replace(/-/g, '')}`, nationalId, name: `${given} ${family}`, country: String(consumer.country), at: new Date() });
    while (reports.size >= options.maxReports) {
      const oldest = reports.keys().next().value as string;
      reports.delete(oldest);
    }
    reports.set(report.id, report);
    byKey.set(key, { reportId: report.id, hash });
    if (byKey.size > options.maxReports) byKey.delete(byKey.keys().next().value as string);
    return reply.status(201).send(report);
  });

  app.get<{ Params: { id: string } }>('/v1/credit-reports/:id', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    return reports.get(request.params.id) ?? reply.status(404).send(error('not-found', 'No such report', 'id'));
  });

  // Sandbox-only: how many reports were pulled (each a hard enquiry), for idempotency tests.
  app.get('/sandbox/state', async () => ({ reports: reports.size, calls, keys: byKey.size }));
  app.addHook('preClose', async () => timers.forEach(clearTimeout));
  return app;
}
