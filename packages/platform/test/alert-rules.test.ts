import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const rules = parse(readFileSync(`${root}infra/alerts/lendstack.rules.yml`, 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[] }[] };

describe('infra/alerts/lendstack.rules.yml', () => {
  const all = rules.groups.flatMap((g) => g.rules);

  it('has an alert for approved loans the LMS refused to book', () => {
    expect(all.find((r) => r.alert === 'LendstackApprovedLoanNotBooked')?.expr).toContain('lendstack_applications_booking_failed_total');
  });

  it.each(all.map((r) => [r.alert, r] as const))('%s watches a metric the services export, with a severity and a summary', (_name, rule) => {
    const metric = /lendstack_[a-z_]+/.exec(rule.expr)![0].replace(/_total$/, '');
    const found = execFileSync('git', ['grep', '-l', metric, '--', 'services', 'packages/platform/src', ':!*.test.ts'], { cwd: root }).toString();
    expect(found.trim()).not.toBe('');
    expect(['page', 'ticket']).toContain(rule.labels.severity);
    expect(rule.annotations.summary.length).toBeGreaterThan(10);
  });
});
