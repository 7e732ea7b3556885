import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';

// The deployables agree with each other and with the services: each Dockerfile, docker-compose.yml's `app`
// profile and deploy/k8s name the same image, port, health checks and start command, and every setting they
// set is one the service's config reads (services/*/src/config.ts), while every credential and every setting
// whose default points at this machine (127.0.0.1, the sandboxes) is supplied by the manifests. Then the
// service's own config schema is run over what a pod would get: it refuses the empty credentials and site
// settings, naming each, and accepts them once filled. (The manifests' Kubernetes schemas are checked by
// deployment-schemas.int.test.ts.)
const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

interface K8sObject { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any }
const manifests = (file: string): K8sObject[] => parseAllDocuments(read(file)).map((d) => d.toJSON() as K8sObject).filter(Boolean);
const compose = parse(read('docker-compose.yml')) as { services: Record<string, { image?: string; build?: { dockerfile: string }; command?: string[]; environment?: Record<string, string>; ports?: string[]; profiles?: string[] }> };

/** The service's environment variables and the source text of each default, from its config schema. */
function configVariables(service: 'los' | 'lms' | 'console'): Map<string, string> {
  const source = read(`services/${service}/src/config.ts`);
  return new Map([...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): (z\..*)$/gm)].map((m) => [m[1]!, m[2]!]));
}
const CREDENTIAL = /(SECRET|TOKEN|PASSWORD|API_KEY|HMAC_KEY|KEY_ID|_KEKS|DATABASE_URL|SMTP_USER)$/;
/** A default that only works on a developer's machine: the local infrastructure, a sandbox, a test domain or a dev-only value. */
const LOCAL_DEFAULT = /127\.0\.0\.1|localhost|sandbox|SANDBOX|lendstack\.test|change-me|DEV_|dev-only|\.cache\//;

// The console keeps no data: no database, so no migrations Job.
const services = [
  { name: 'los' as const, port: 3001, migrations: true, version: JSON.parse(read('services/los/package.json')).version as string },
  { name: 'lms' as const, port: 3002, migrations: true, version: JSON.parse(read('services/lms/package.json')).version as string },
  { name: 'console' as const, port: 3003, migrations: false, version: JSON.parse(read('services/console/package.json')).version as string },
];

describe.each(services)('the $name deployables', ({ name, port, migrations, version }) => {
  const image = `lendstack/${name}:${version}`;
  const objects = manifests(`deploy/k8s/${name}.yaml`);
  const one = (kind: string, objectName: string = name) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === objectName);
    if (!found) throw new Error(`deploy/k8s/${name}.yaml has no ${kind} ${objectName}`);
    return found;
  };
  const deployment = one('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const dockerfile = read(`services/${name}/Dockerfile`);
  const variables = configVariables(name);
  const data = (kind: 'ConfigMap' | 'Secret', objectName: string) => (kind === 'Secret' ? one(kind, objectName).stringData : one(kind, objectName).data) as Record<string, string>;
  const settings = { config: data('ConfigMap', `${name}-config`), site: data('ConfigMap', `${name}-site`), secrets: data('Secret', `${name}-secrets`) };

  it('names one image everywhere: the Deployment, the migrations Job and docker-compose', () => {
    expect(container.image).toBe(image);
    expect(compose.services[name]).toMatchObject({ image, build: { dockerfile: `services/${name}/Dockerfile` }, profiles: ['app'] });
    expect(dockerfile).toContain(`-t ${image} .`);
    const job = objects.find((o) => o.kind === 'Job');
    if (!migrations) {
      expect(job, 'no migrations Job for a service without a database').toBeUndefined();
      expect(compose.services[`${name}-migrate`]).toBeUndefined();
      return;
    }
    expect(job!.spec.template.spec.containers[0].image).toBe(image);
    expect(job!.spec.template.spec.containers[0].command).toEqual(['node', '--import', 'tsx', 'src/migrate.ts']);
    expect(compose.services[`${name}-migrate`]).toMatchObject({ image, command: ['node', '--import', 'tsx', 'src/migrate.ts'] });
  });

  it(`serves on ${port} with the same health checks in the image and the pods`, () => {
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
    expect(dockerfile).toContain(`${name.toUpperCase()}_PORT=${port}`);
    expect(dockerfile).toContain(`http://127.0.0.1:${port}/health/live`);
    expect(settings.config[`${name.toUpperCase()}_PORT`]).toBe(String(port));
    expect(settings.config[`${name.toUpperCase()}_HOST`]).toBe('0.0.0.0');
    expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(one('Service').spec.ports[0]).toMatchObject({ targetPort: port });
    expect(compose.services[name]!.ports).toEqual([`127.0.0.1:\${${name.toUpperCase()}_PORT:-${port}}:${port}`]);
    expect(compose.services[name]!.environment![`${name.toUpperCase()}_PORT`]).toBe(String(port));
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    // The Dockerfile's command is the pods' (no override) and docker-compose's; tsx, which runs the sources,
    // is a production dependency, so `pnpm deploy --prod` puts it in the image.
    expect(dockerfile).toContain('CMD ["node", "--import", "tsx", "src/bin.ts"]');
    expect(container.command).toBeUndefined();
    expect(JSON.parse(read(`services/${name}/package.json`)).dependencies).toHaveProperty('tsx');
  });

  it('runs as the image’s unprivileged user on a read-only root, scaled by an HPA and kept up by a PDB', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    const selector = deployment.spec.selector.matchLabels;
    expect(deployment.spec.template.metadata.labels).toMatchObject(selector);
    expect(one('Service').spec.selector).toEqual(selector);
    expect(one('PodDisruptionBudget').spec.selector.matchLabels).toEqual(selector);
    expect(one('HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    expect(one('HorizontalPodAutoscaler').spec.minReplicas).toBeGreaterThan(one('PodDisruptionBudget').spec.minAvailable);
    expect(container.envFrom).toEqual([{ configMapRef: { name: `${name}-config` } }, { configMapRef: { name: `${name}-site` } }, { secretRef: { name: `${name}-secrets` } }]);
  });

  it('drains within SHUTDOWN_GRACE_MS, below the pod\'s termination grace period, so Kubernetes never SIGKILLs a drain', () => {
    const graceMs = Number(settings.config.SHUTDOWN_GRACE_MS);
    expect(graceMs).toBeGreaterThanOrEqual(1_000);
    expect(pod.terminationGracePeriodSeconds * 1_000).toBeGreaterThan(graceMs);
  });

  it('sets only settings the service reads, keeps every credential in the Secret and every machine-local default overridden', () => {
    const set = { ...settings.config, ...settings.site, ...settings.secrets };
    const unknown = [...Object.keys(set), ...Object.keys(compose.services[name]!.environment!), ...Object.keys(compose.services[`${name}-migrate`]?.environment ?? {})].filter((k) => !variables.has(k));
    expect(unknown, 'names the config does not read').toEqual([]);
    const credentials = [...variables.keys()].filter((k) => CREDENTIAL.test(k));
    expect(Object.keys(settings.secrets).sort(), 'the Secret holds exactly the credentials').toEqual(credentials.sort());
    expect(Object.values(settings.secrets).every((v) => v === ''), 'no credential is committed').toBe(true);
    expect([...Object.keys(settings.config), ...Object.keys(settings.site)].filter((k) => CREDENTIAL.test(k)), 'no credential in a ConfigMap').toEqual([]);
    const local = [...variables].filter(([k, def]) => LOCAL_DEFAULT.test(def) && !(k in set)).map(([k]) => k);
    expect(local, 'settings left on a default that only works on a developer machine').toEqual([]);
  });

  it('is refused at boot by the service’s own config while a site setting or credential is empty, and accepted once they are filled', () => {
    const check = (env: Record<string, string>) => {
      try {
        execFileSync('pnpm', ['exec', 'tsx', '-e', "import('./src/config.ts').then((m) => { m.loadConfig(); console.log('ok'); })"], {
          cwd: `${root}services/${name}`, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
        });
        return 'ok';
      } catch (error) {
        return String((error as { stderr?: string }).stderr ?? error);
      }
    };
    const empty = check({ ...settings.config, ...settings.site, ...settings.secrets });
    for (const k of Object.keys(settings.secrets)) expect(empty, `an empty ${k} is refused, by name`).toContain(k);
    for (const [k, v] of Object.entries(settings.site)) if (v === '') expect(empty, `an empty ${k} is refused, by name`).toContain(k);
    const filled = Object.fromEntries(Object.entries({ ...settings.site, ...settings.secrets }).map(([k, v]) => [k, v || sampleValue(k, variables.get(k)!)]));
    expect(check({ ...settings.config, ...filled })).toContain('ok');
  }, 60_000);
});

describe('the LMS collector apart', () => {
  const objects = manifests('deploy/k8s/lms.yaml');
  const one = (kind: string, objectName: string) => objects.find((o) => o.kind === kind && o.metadata.name === objectName)!;
  it('runs in Deployment lms-collector: the API pods\' image and settings, with LMS_COLLECTIONS_WORKER on only there', () => {
    const api = one('Deployment', 'lms').spec.template.spec.containers[0];
    const collector = one('Deployment', 'lms-collector');
    expect(collector, 'deploy/k8s/lms.yaml has a Deployment lms-collector').toBeDefined();
    const c = collector.spec.template.spec.containers[0];
    const config = one('ConfigMap', 'lms-config').data as Record<string, string>;
    expect(config.LMS_COLLECTIONS_WORKER).toBe('false');
    expect(api.env ?? []).not.toContainEqual(expect.objectContaining({ name: 'LMS_COLLECTIONS_WORKER' }));
    expect(c.env).toEqual([{ name: 'LMS_COLLECTIONS_WORKER', value: 'true' }]);
    expect({ image: c.image, envFrom: c.envFrom, ports: c.ports, probes: [c.startupProbe, c.livenessProbe, c.readinessProbe], securityContext: c.securityContext })
      .toEqual({ image: api.image, envFrom: api.envFrom, ports: api.ports, probes: [api.startupProbe, api.livenessProbe, api.readinessProbe], securityContext: api.securityContext });
    expect(collector.spec.template.spec.terminationGracePeriodSeconds * 1_000).toBeGreaterThan(Number(config.SHUTDOWN_GRACE_MS));
    // Its pods are not behind the Service, and a PDB keeps one collector up.
    const labels = collector.spec.template.metadata.labels as Record<string, string>;
    expect(labels).toMatchObject(collector.spec.selector.matchLabels);
    expect(Object.entries(one('Service', 'lms').spec.selector as Record<string, string>).every(([k, v]) => labels[k] === v)).toBe(false);
    expect(one('PodDisruptionBudget', 'lms-collector').spec.selector.matchLabels).toEqual(collector.spec.selector.matchLabels);
  });

  it('runs apart in docker-compose too: lms-collector is lms with LMS_COLLECTIONS_WORKER on, and publishes no port', () => {
    const api = compose.services.lms!;
    const collector = compose.services['lms-collector'];
    expect(collector, 'docker-compose.yml has a service lms-collector').toBeDefined();
    expect(api.environment!.LMS_COLLECTIONS_WORKER).toBe('false');
    const { LMS_COLLECTIONS_WORKER: on, ...rest } = collector!.environment!;
    expect(on).toBe('true');
    expect(rest).toEqual(Object.fromEntries(Object.entries(api.environment!).filter(([k]) => k !== 'LMS_COLLECTIONS_WORKER')));
    expect({ image: collector!.image, build: collector!.build, profiles: collector!.profiles }).toEqual({ image: api.image, build: api.build, profiles: api.profiles });
    expect(collector!.ports).toBeUndefined();
  });
});

/** A value of the right shape for a setting the lender supplies (what a filled Secret or site ConfigMap holds). */
function sampleValue(name: string, schema: string): string {
  if (name.endsWith('DATABASE_URL')) return `postgresql://svc:pw@${name.toLowerCase().slice(0, 3)}-db-primary:5432/lendstack`;
  if (schema.includes('.url()')) return `https://${name.toLowerCase().replace(/_/g, '-')}.lender.example/api`;
  if (name.endsWith('_PII_KEKS')) return `kek-2026:${Buffer.alloc(32, 7).toString('base64')}`;
  if (name === 'LOS_PII_ACTIVE_KEK') return 'kek-2026';
  if (name === 'UIDAI_OFFLINE_EKYC_CERT_PEM') return '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  if (name === 'ACH_ODFI_ROUTING') return '021000021';
  if (name === 'ACH_COMPANY_ID') return '1234567890';
  if (name === 'ACH_ODFI_NAME' || name === 'ACH_COMPANY_NAME') return 'LENDER BANK';
  if (name === 'TWILIO_ACCOUNT_SID') return `AC${'ab'.repeat(16)}`;
  if (name.startsWith('TWILIO_') && name.endsWith('_FROM')) return '+14155550100';
  if (name === 'NOTIFY_EMAIL_FROM') return 'Lender <no-reply@lender.example>';
  if (name === 'NOTIFY_MESSAGE_ID_DOMAIN') return 'lender.example';
  if (name === 'NOTIFY_LENDER_NAME') return 'Lender';
  if (name === 'SMTP_HOST') return 'smtp.lender.example';
  return 'filled-from-the-secret-store-0123456789abcdef';
}
