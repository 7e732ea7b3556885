import { join } from 'node:path';
import { fromFile, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './test-support.js';

// The committed asyncapi.yaml checked by an independent validator: the AsyncAPI Initiative's own parser
// (the JSON Schema of AsyncAPI 3.0 plus its Spectral ruleset), resolving the ./schemas/*.json files the
// document refers to from disk. No network: every $ref is local.
const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

describe('asyncapi.yaml under @asyncapi/parser', () => {
  it('parses and validates with no error or warning', async () => {
    const parser = new Parser();
    const { document, diagnostics } = await fromFile(parser, join(packageRoot, 'asyncapi.yaml')).parse();
    const findings = diagnostics
      .filter((d) => d.severity <= 1)
      .map((d) => `${SEVERITY[d.severity]} ${d.code} at /${d.path.join('/')}: ${d.message}`);
    expect(findings).toEqual([]);
    expect(document).toBeDefined();
  });

  it('declares traceparent and x-event-id on every event message, x-event-id required', async () => {
    const { document } = await fromFile(new Parser(), join(packageRoot, 'asyncapi.yaml')).parse();
    const events = document!.allMessages().all().filter((m) => m.id() !== 'DeadLetter');
    expect(events.length).toBeGreaterThan(10);
    const missing = events.flatMap((m) => {
      const headers = m.headers()?.json() as { properties?: Record<string, unknown>; required?: string[] } | undefined;
      const lacks = ['traceparent', 'x-event-id'].filter((h) => headers?.properties?.[h] === undefined);
      if (!headers?.required?.includes('x-event-id')) lacks.push('x-event-id required');
      return lacks.map((l) => `${m.id()}: ${l}`);
    });
    expect(missing).toEqual([]);
  });
});
