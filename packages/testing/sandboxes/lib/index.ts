/**
 * The shared machinery of the local vendor sandboxes (packages/testing/sandboxes/*): what every sandbox needs
 * apart from the vendor protocol it speaks. A new sandbox `foo-sandbox` is laid out like the others:
 *
 * - `src/defaults.ts`: FOO_SANDBOX_DEFAULTS (host 127.0.0.1, a port of its own, development credentials) and
 *   `fooSandboxEnv(env)` reading FOO_SANDBOX_PORT etc. with `envInt` (bounded, fails naming the variable).
 * - `src/server.ts`: `buildFooSandbox(options)` → a fastify app (not listening) with `GET /health`; vendor ids
 *   from `randomId`, optional `registerFaultControl(app)` for 5xx retry tests, and, if the vendor calls back,
 *   a `src/webhooks.ts` that builds and signs the vendor's envelope once and hands it to
 *   `createWebhookDelivery(...).deliver(record, body, headers)` (retries, backoff, bounded memory).
 * - `src/main.ts`: `await serveUntilSignalled(buildFooSandbox(...), { host, port })`, then a "listening" log.
 * - `src/control.ts`: `export const fooSandbox = createSandboxControl({ name: 'foo-sandbox', mainFile:
 *   fileURLToPath(new URL('./main.ts', import.meta.url)), portVariable: 'FOO_SANDBOX_PORT', defaultPort })`
 *   — tests call `fooSandbox.start({ port, pidFile, logFile, env })` / `.stop` / `.status`.
 * - `src/cli.ts`: `await runSandboxCli('foo-sandbox', fooSandbox, process.argv[2])`, then one line each in
 *   infra/up.sh and infra/test.sh (`… cli.ts start`) and infra/down.sh (`… cli.ts stop || true`), and an
 *   export `"./foo-sandbox": "./sandboxes/foo-sandbox/src/control.ts"` in packages/testing/package.json.
 *
 * Its tests start it on a port of their own with pid and log files of their own, and catch its webhooks with
 * `startWebhookReceiver()`. The shared instance (infra/up.sh) lives at $LENDSTACK_CACHE/foo-sandbox.pid, its
 * log in $LENDSTACK_CACHE/logs/foo-sandbox.log.
 */
export { runSandboxCli } from './cli.js';
export { envInt } from './env.js';
export { registerFaultControl, type Faults } from './faults.js';
export { randomId } from './ids.js';
export { createSandboxControl, repoRoot, type RunningSandbox, type SandboxControl, type SandboxProcessOptions, type SandboxSpec, type SandboxStatus } from './process-control.js';
export { serveUntilSignalled } from './serve.js';
export { createWebhookDelivery, type DeliveryProgress, type WebhookDelivery, type WebhookDeliveryOptions } from './webhook-delivery.js';
export { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './webhook-receiver.js';
