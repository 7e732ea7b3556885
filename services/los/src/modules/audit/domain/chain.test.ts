import { describe, expect, it } from 'vitest';
import { canonicalEncoding, checkLink, entryHash, GENESIS_HASH, START, type ChainContent, type ChainLink } from './chain.js';

const content: ChainContent = {
  tenantId: 'acme', source: 'decision', sourceId: '7', at: new Date('2026-12-05T10:15:30.125Z'), actor: 'operator-1', action: 'recommendation',
  subject: '0b6f2c64-5a1e-4c55-9d0a-3f1f0a2b8c11', qualifier: '1', detail: '{"comment": "ok — fine\\n", "recommendation": "approve"}',
};
const first: ChainLink = { tenantId: 'acme', seq: 1n, source: 'decision', sourceId: '7', prevHash: GENESIS_HASH, hash: entryHash(1n, GENESIS_HASH, content) };

describe('the audit chain encoding', () => {
  it('gives the hash PostgreSQL computes for the same entry (audit_chain_hash in migration 20261205400000)', () => {
    // Computed with: SELECT audit_chain_hash('acme', 1, repeat('0',64), 'decision', 7, '2026-12-05T10:15:30.125Z', 'operator-1', 'recommendation', '0b6f…8c11', '1', '{…}'::jsonb::text)
    expect(entryHash(1n, GENESIS_HASH, content)).toBe('cd32bc8ef4f0b8dc4fec17c83a594eeceb7bad0f7232ac66cac7afc12b2616f6');
  });

  it('length-prefixes every field in bytes, so no value can pose as the next field', () => {
    const encoded = canonicalEncoding(1n, GENESIS_HASH, content);
    expect(encoded.startsWith('23:lendstack-audit-chain/1\n4:acme\n1:1\n64:')).toBe(true);
    expect(encoded).toContain(`${Buffer.byteLength(content.detail)}:${content.detail}\n`);
    const shifted = { ...content, actor: 'operator-1\n14:recommendation', action: '' };
    expect(entryHash(1n, GENESIS_HASH, shifted)).not.toBe(entryHash(1n, GENESIS_HASH, content));
  });

  it('changes with the previous hash and the seq, so a link cannot be moved', () => {
    expect(entryHash(2n, GENESIS_HASH, content)).not.toBe(first.hash);
    expect(entryHash(1n, 'f'.repeat(64), content)).not.toBe(first.hash);
  });
});

describe('checking a link', () => {
  it('accepts an untouched entry and moves the position to it', () => {
    expect(checkLink(START, first, content)).toEqual({ ok: true, position: { seq: 1n, hash: first.hash } });
  });

  it('names an entry whose content changed since it was chained', () => {
    const result = checkLink(START, first, { ...content, detail: '{"comment": "ok", "recommendation": "decline"}' });
    expect(result).toMatchObject({ ok: false, seq: 1n });
    expect(!result.ok && result.problem).toMatch(/^decision_audit id 7 \(recommendation by operator-1 at 2026-12-05T10:15:30.125Z\) hashes to [0-9a-f]{64}, not the chained/);
  });

  it('names a deleted entry, a gap in seq and a broken back-pointer', () => {
    expect(checkLink(START, first, undefined)).toEqual({ ok: false, seq: 1n, problem: 'decision_audit id 7 is gone: the entry was deleted' });
    expect(checkLink(START, { ...first, seq: 4n }, content)).toEqual({ ok: false, seq: 1n, problem: 'seq 1–3 missing: 3 link(s) deleted before seq 4' });
    expect(checkLink({ seq: 0n, hash: 'a'.repeat(64) }, first, content)).toMatchObject({ ok: false, seq: 1n, problem: expect.stringMatching(/^prev_hash 0{64} is not the hash of seq 0/) });
  });

  it('refuses an entry moved to another tenant', () => {
    expect(checkLink(START, first, { ...content, tenantId: 'other' })).toEqual({ ok: false, seq: 1n, problem: 'decision_audit id 7 now belongs to tenant other' });
  });
});
