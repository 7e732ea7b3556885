import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerIndiaRoutes } from './india.js';
import { registerOnfidoRoutes } from './onfido.js';
import { createOnfidoWebhookSender, type OnfidoWebhookSenderOptions } from './webhooks.js';

export interface KycSandboxOptions {
  readonly onfidoApiToken: string;
  readonly checkDelayMs: number;
  readonly maxRecords: number;
  readonly webhook: Omit<OnfidoWebhookSenderOptions, 'log'>;
  readonly panApiKey: string;
  readonly panAccessToken: string;
  readonly uidaiSigningKeyPem: string;
  readonly uidaiSigningCertPem: string;
  readonly logger?: boolean | { level: string };
}

/** One process serving the Onfido v3.6 slice (/v3.6/…) and the Indian protocols (/kyc/pan/verify, /uidai/…). */
export async function buildKycSandbox(options: KycSandboxOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 256 * 1024 });
  await app.register(multipart, { limits: { fileSize: 4 * 1024 * 1024, files: 1 } });
  const closers: (() => void)[] = [];
  const webhooks = createOnfidoWebhookSender({ ...options.webhook, log: (message, fields) => app.log.warn(fields ?? {}, message) });
  const onfido = registerOnfidoRoutes(app, { apiToken: options.onfidoApiToken, checkDelayMs: options.checkDelayMs, maxRecords: options.maxRecords, webhooks, onClose: (stop) => closers.push(stop) });
  const india = registerIndiaRoutes(app, {
    panApiKey: options.panApiKey, panAccessToken: options.panAccessToken, signingKeyPem: options.uidaiSigningKeyPem, signingCertPem: options.uidaiSigningCertPem,
    maxRecords: options.maxRecords, onClose: (stop) => closers.push(stop),
  });
  app.get('/health', async () => ({ status: 'ok' }));
  // Sandbox-only: what was created and which webhooks were delivered, for tests.
  app.get('/sandbox/state', async () => ({ onfido: onfido.state(), india: india.state() }));
  app.addHook('preClose', async () => {
    webhooks.close();
    for (const close of closers) close();
  });
  return app;
}
