import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// deploy/k8s against the Kubernetes API's own schemas, offline: kubernetes-validate (PyPI, pinned in
// infra/local/python-tools.sh) ships the OpenAPI schemas of each Kubernetes release. Strict mode refuses a
// field the API does not have, so a typo in a manifest fails here rather than at `kubectl apply`.
// (How the manifests agree with the Dockerfiles, docker-compose.yml and the services: deployment.test.ts.)
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = `${root}deploy/k8s`;
const KUBERNETES = '1.31';
const resources = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').map((f) => join(dir, f));

function validator(): string {
  return execFileSync('bash', [`${root}infra/local/python-tools.sh`, 'kubernetes-validate'], { encoding: 'utf8', timeout: 900_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
const validate = (tool: string, files: string[]) => spawnSync(tool, ['--strict', '--no-warn', '-k', KUBERNETES, ...files], { encoding: 'utf8', timeout: 120_000 });

describe(`deploy/k8s against the Kubernetes ${KUBERNETES} schemas`, () => {
  it('every resource of every manifest passes strict validation, and the kustomization lists them all', () => {
    const tool = validator();
    const run = validate(tool, resources);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const passed = [...run.stdout.matchAll(/passed for resource (\S+)/g)].map((m) => m[1]);
    expect(passed).toEqual(expect.arrayContaining(['deployment/los', 'deployment/lms', 'job/los-migrate-0-1-0', 'job/lms-migrate-0-1-0', 'job/kafka-topics-0-1-0',
      'horizontalpodautoscaler/los', 'horizontalpodautoscaler/lms', 'poddisruptionbudget/los', 'poddisruptionbudget/lms', 'service/los', 'service/lms',
      'deployment/console', 'service/console', 'horizontalpodautoscaler/console', 'poddisruptionbudget/console']));
    const listed = readFileSync(join(dir, 'kustomization.yaml'), 'utf8');
    for (const file of resources) expect(listed, file).toContain(`  - ${file.split('/').at(-1)}`);
  }, 900_000);

  it('refuses a manifest with a field the API does not have, or a value of the wrong type', () => {
    const tool = validator();
    const scratch = mkdtempSync(join(tmpdir(), 'lendstack-k8s-'));
    const deployment = readFileSync(join(dir, 'los.yaml'), 'utf8').split('\n---\n').find((d) => d.includes('kind: Deployment'))!;
    writeFileSync(join(scratch, 'typo.yaml'), deployment.replace('  replicas: 2', '  replica: 2'));
    writeFileSync(join(scratch, 'type.yaml'), deployment.replace('  replicas: 2', '  replicas: "two"'));
    for (const file of ['typo.yaml', 'type.yaml']) {
      const run = validate(tool, [join(scratch, file)]);
      expect(run.status, `${file}: ${run.stdout}`).not.toBe(0);
    }
  }, 900_000);
});
