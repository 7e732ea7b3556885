import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { signToken } from '@lendstack/platform';
import { awaitChecksOverHttp, eventually, infrastructure, startServiceProcess, type ServiceProcess } from '@lendstack/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createEnvelopeCipher } from '../src/modules/pii/envelope-cipher.js';
import { parseKeyring } from '../src/modules/pii/keyring.js';
import { createPiiReader, createPiiSealer } from '../src/modules/pii/pii-store.js';
import { rotateDataKeys } from '../src/modules/pii/rotate-data-keys.js';
import { applicationBody, uniquePan, uniqueTenant } from './support/los-test-server.js';

const kek = () => randomBytes(32).toString('base64');
let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: (await infrastructure()).losDatabaseUrl, max: 4 });
});
afterAll(async () => {
  await pool?.end();
});

describe('envelope encryption of PII', () => {
  it('seals each field under the tenant data key; only the right tenant, application and field open it', async () => {
    const keyring = parseKeyring(`k-a:${kek()}`, 'k-a');
    const cipher = createEnvelopeCipher({ pool, keyring });
    const tenant = uniqueTenant('pii-seal');
    const applicationId = randomUUID();
    const sealed = await createPiiSealer(cipher).seal(tenant, applicationId, { nationalId: 'ABCPE1234F', dateOfBirth: '1988-02-29', bankAccount: '5010012345678' });
    for (const blob of [sealed.nationalId, sealed.dateOfBirth!, sealed.bankAccount]) {
      expect(blob.length).toBeGreaterThan(28);
      for (const clear of ['ABCPE1234F', '1988-02-29', '5010012345678']) expect(blob.includes(Buffer.from(clear))).toBe(false);
    }
    const { rows: keys } = await pool.query('SELECT kek_id, wrapped_key FROM pii_data_keys WHERE tenant_id = $1', [tenant]);
    expect(keys).toHaveLength(1);
    expect(keys[0].kek_id).toBe('k-a');
    expect(keys[0].wrapped_key.length).toBe(12 + 16 + 32);

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("INSERT INTO applications (id, tenant_id, status, applicant, loan_request, submitted_by, updated_at) VALUES ($1, $2, 'declined', '{}', '{}', 'test', now())", [applicationId, tenant]);
      await client.query('INSERT INTO application_pii (application_id, tenant_id, national_id, date_of_birth, bank_account) VALUES ($1, $2, $3, $4, $5)', [applicationId, tenant, sealed.nationalId, sealed.dateOfBirth, sealed.bankAccount]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const reader = createPiiReader({ pool, cipher });
    expect(await reader.reveal(tenant, applicationId, 'national-id')).toBe('ABCPE1234F');
    expect(await reader.reveal(tenant, applicationId, 'date-of-birth')).toBe('1988-02-29');
    expect(await reader.reveal(tenant, applicationId, 'bank-account')).toBe('5010012345678');
    // Another tenant's key, or the field read as another (swapped AAD), does not open it.
    await expect(cipher.open(uniqueTenant('pii-other'), `lendstack-los:pii:${tenant}:${applicationId}:national-id`, sealed.nationalId)).rejects.toThrow();
    await expect(cipher.open(tenant, `lendstack-los:pii:${tenant}:${applicationId}:bank-account`, sealed.nationalId)).rejects.toThrow();
  });

  it('rotates the KEK: data keys are re-wrapped under the new one, and values sealed before open without the old KEK', async () => {
    const [old, next] = [kek(), kek()];
    const tenants = [uniqueTenant('pii-rot'), uniqueTenant('pii-rot')];
    const before = createEnvelopeCipher({ pool, keyring: parseKeyring(`old-1:${old}`, 'old-1') });
    const sealed = await Promise.all(tenants.map((t) => before.seal(t, `aad-${t}`, `value of ${t}`)));

    // Scoped to this test's tenants: the test database holds other files' tenants under the development KEK.
    const rotated = await rotateDataKeys(pool, parseKeyring(`old-1:${old},new-2:${next}`, 'new-2'), { tenantIds: tenants });
    expect(rotated).toBe(2);
    const { rows } = await pool.query('SELECT tenant_id, kek_id, rewrapped_at FROM pii_data_keys WHERE tenant_id = ANY($1) ORDER BY tenant_id', [tenants]);
    expect(rows.map((r) => r.kek_id)).toEqual(['new-2', 'new-2']);
    expect(rows.every((r) => r.rewrapped_at !== null)).toBe(true);
    expect(await rotateDataKeys(pool, parseKeyring(`old-1:${old},new-2:${next}`, 'new-2'), { tenantIds: tenants })).toBe(0);

    const after = createEnvelopeCipher({ pool, keyring: parseKeyring(`new-2:${next}`, 'new-2') });
    expect(await Promise.all(tenants.map((t, i) => after.open(t, `aad-${t}`, sealed[i]!)))).toEqual(tenants.map((t) => `value of ${t}`));
    const stale = createEnvelopeCipher({ pool, keyring: parseKeyring(`old-1:${old}`, 'old-1') });
    await expect(stale.open(tenants[0]!, `aad-${tenants[0]}`, sealed[0]!)).rejects.toThrow(/new-2/);
  });

  it('refuses a keyring that names no active key or a short key', () => {
    expect(() => parseKeyring(`a:${kek()}`, 'b')).toThrow(/LOS_PII_ACTIVE_KEK/);
    expect(() => parseKeyring(`a:${randomBytes(16).toString('base64')}`, 'a')).toThrow(/32/);
  });
});

describe('no clear PII in logs, Kafka or API responses', () => {
  const runId = randomUUID().slice(0, 8);
  let los: ServiceProcess;
  beforeAll(async () => {
    los = await startServiceProcess('los', 3701, { LOG_LEVEL: 'debug', LOS_CONSUMER_GROUP: `pii-grep-${runId}`, LOS_TEMPORAL_TASK_QUEUE: `los-checks-pii-${runId}`, LOS_CHECKS_TENANT_PREFIX: 'pii-grep-' }, { keepOutputChars: 5_000_000 });
  }, 120_000);
  afterAll(async () => {
    await los?.stop();
  });

  it('a submitted, checked and approved application leaves its national id, date of birth and account number nowhere but sealed', { timeout: 120_000 }, async () => {
    const config = loadConfig();
    const tenantId = uniqueTenant('pii-grep');
    const token = (roles: ('partner' | 'operator')[], subject: string) => `Bearer ${signToken(config.AUTH_TOKEN_SECRET, { subject, tenantId, roles }, 600, Math.floor(Date.now() / 1000))}`;
    const pan = uniquePan();
    const accountNumber = `7${randomInt(10 ** 9, 10 ** 10 - 1)}`;
    const dateOfBirth = `19${randomInt(50, 99)}-0${randomInt(1, 9)}-1${randomInt(0, 9)}`;
    const body = applicationBody({ pan, accountNumber });
    (body.applicant as any).dateOfBirth = dateOfBirth;
    const clear = [pan, accountNumber, dateOfBirth];

    const responses: string[] = [];
    const call = async (path: string, init: RequestInit & { auth: string }) => {
      const res = await fetch(`${los.url}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: init.auth, ...(init.headers as object) } });
      const text = await res.text();
      responses.push(text);
      return { status: res.status, body: JSON.parse(text) };
    };
    const created = await call('/v1/applications', { method: 'POST', auth: token(['partner'], 'partner-1'), body: JSON.stringify(body), headers: { 'idempotency-key': `pii-${runId}` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect(created.body.applicant.dateOfBirthMasked).toBe(`${dateOfBirth.slice(0, 4)}-XX-XX`);
    await awaitChecksOverHttp(los.url, token(['operator'], 'op-1'), id, { expect: 'checks-complete' });
    await call(`/v1/applications/${id}/checks`, { auth: token(['operator'], 'op-1') });
    const approved = await call(`/v1/applications/${id}/approve`, { method: 'POST', auth: token(['operator'], 'op-1'), body: '{}' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await call(`/v1/applications/${id}`, { auth: token(['partner'], 'partner-1') });

    // Every topic of this environment, from the beginning, until this application's events are all there.
    const infra = await infrastructure();
    const kafka = new Kafka({ clientId: `pii-grep-${runId}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix) && !t.startsWith('__') && (prefix !== '' || t.startsWith('lendstack.')));
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `pii-grep-reader-${runId}` });
    const messages: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push([message.key?.toString() ?? '', message.value?.toString() ?? '', JSON.stringify(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString()])))].join('\n'));
      },
    });
    try {
      await eventually(async () => {
        const mine = messages.filter((m) => m.includes(id));
        const types = ['ApplicationSubmitted', 'ApplicationChecksStarted', 'ApplicationChecksCompleted', 'LoanApproved'];
        return types.every((t) => mine.some((m) => m.includes(`"type":"${t}"`))) ? true : undefined;
      }, { timeoutMs: 60_000, what: "the application's events on Kafka" });
    } finally {
      await consumer.disconnect();
    }

    const logs = los.output();
    expect(logs).toContain(id); // the logs do speak of this application (checks at debug/info)
    for (const value of clear) {
      expect(logs.includes(value), `clear ${value} in the LOS logs`).toBe(false);
      expect(messages.filter((m) => m.includes(value)), `clear ${value} on Kafka`).toEqual([]);
      expect(responses.filter((r) => r.includes(value)), `clear ${value} in an API response`).toEqual([]);
    }
    const { rows } = await pool.query(
      `SELECT 'applications' AS t FROM applications a WHERE a.id = $1 AND a::text LIKE ANY($2)
       UNION ALL SELECT 'application_checks' FROM application_checks c WHERE c.application_id = $1 AND c::text LIKE ANY($2)
       UNION ALL SELECT 'outbox' FROM outbox o WHERE o.value::text LIKE ANY($2)
       UNION ALL SELECT 'identity_hashes' FROM identity_hashes h WHERE h.application_id = $1 AND h::text LIKE ANY($2)`,
      [id, clear.map((v) => `%${v}%`)],
    );
    expect(rows).toEqual([]);
  });
});
