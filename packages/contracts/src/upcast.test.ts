import { describe, expect, it } from 'vitest';
import { collectionsFlagRaisedV2Schema } from './events/collections-flag-raised.v2.js';
import { parseEvent } from './registry.js';
import { readJson } from './test-support.js';
import { receivedVersion, upcastEvent } from './upcast.js';

describe('upcastEvent', () => {
  const v1 = readJson('fixtures', 'collections-flag-raised.v1', 'accept', 'bounced-twice.json') as { id: string; payload: object };

  it('reads CollectionsFlagRaised v1 as v2: same id and payload, version 2, valid under the v2 schema', () => {
    const parsed = parseEvent(JSON.stringify(v1));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const latest = upcastEvent(parsed.event);
    expect(latest).toMatchObject({ id: v1.id, type: 'CollectionsFlagRaised', version: 2, payload: v1.payload });
    expect(collectionsFlagRaisedV2Schema.safeParse(latest).success).toBe(true);
    // What an inbox records: the version that arrived.
    expect(receivedVersion(latest)).toBe(1);
    expect(receivedVersion(parsed.event)).toBe(1);
  });

  it('returns an event already at its latest version as it is', () => {
    const v2 = parseEvent(JSON.stringify(readJson('fixtures', 'collections-flag-raised.v2', 'accept', 'npa-risk.json')));
    expect(v2.ok).toBe(true);
    if (v2.ok) expect(upcastEvent(v2.event)).toBe(v2.event);
    if (v2.ok) expect(receivedVersion(upcastEvent(v2.event))).toBe(2);
    const other = parseEvent(JSON.stringify(readJson('fixtures', 'loan-early-warning-raised.v1', 'accept', 'raised.json')));
    expect(other.ok).toBe(true);
    if (other.ok) expect(upcastEvent(other.event)).toBe(other.event);
  });
});
