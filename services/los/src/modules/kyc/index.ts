/**
 * The 'kyc' check, for the checks workflow to register: `createKycCheckRunner({ pool, blobs, onfido, india })`.
 * Applicants in India go to PAN verification (or Aadhaar offline e-KYC for an Aadhaar number), everyone else
 * to Onfido. The Onfido webhook route (POST /v1/kyc-webhooks/onfido) records what the runner waits for.
 */
import type pg from 'pg';
import type { CheckRunner } from '../checks/check-runner.js';
import type { BlobStore } from '../documents/ports.js';
import { createIndiaKycAdapter, type IndiaKycConfig } from './adapters/india-kyc.adapter.js';
import { createOnfidoKycAdapter, type OnfidoConfig } from './adapters/onfido-kyc.adapter.js';
import { createPgKycVendorRecords, createPgKycWebhookInbox } from './adapters/pg-kyc.store.js';
import { createKycRunnerFromPorts } from './kyc.runner.js';

export { onfidoWebhookRoutes, verifyOnfidoSignature, type OnfidoWebhookRoutesDeps } from './adapters/onfido-webhook.routes.js';
export { createPgKycWebhookInbox, createPgKycVendorRecords } from './adapters/pg-kyc.store.js';
export { createOnfidoKycAdapter, interpretOnfido, type OnfidoConfig } from './adapters/onfido-kyc.adapter.js';
export { createIndiaKycAdapter, type IndiaKycConfig } from './adapters/india-kyc.adapter.js';
export { SANDBOX_UIDAI_CERTIFICATE_PEM } from './adapters/sandbox-uidai-certificate.js';
export { createKycRunnerFromPorts, kycOutcome } from './kyc.runner.js';
export type { KycPort, KycVerification, KycWebhookInbox } from './ports.js';

export interface KycCheckRunnerConfig {
  readonly pool: pg.Pool;
  readonly blobs: BlobStore;
  readonly onfido: OnfidoConfig;
  readonly india: IndiaKycConfig;
}

export function createKycCheckRunner(config: KycCheckRunnerConfig): CheckRunner {
  return createKycRunnerFromPorts({
    global: createOnfidoKycAdapter({ config: config.onfido, records: createPgKycVendorRecords(config.pool), inbox: createPgKycWebhookInbox(config.pool), blobs: config.blobs }),
    india: createIndiaKycAdapter(config.india),
  });
}

/** The runner config from the LOS environment (config.ts), for main.ts / the checks worker. */
export function kycConfigFromEnv(env: {
  ONFIDO_BASE_URL: string; ONFIDO_API_TOKEN: string; ONFIDO_POLL_EVERY_MS: number; ONFIDO_MAX_WAIT_MS: number;
  PAN_BASE_URL: string; PAN_API_KEY: string; PAN_ACCESS_TOKEN: string; UIDAI_OFFLINE_EKYC_URL: string; UIDAI_OFFLINE_EKYC_CERT_PEM: string; VENDOR_TIMEOUT_MS: number;
}): { onfido: OnfidoConfig; india: IndiaKycConfig } {
  return {
    onfido: { baseUrl: env.ONFIDO_BASE_URL, apiToken: env.ONFIDO_API_TOKEN, timeoutMs: env.VENDOR_TIMEOUT_MS, pollEveryMs: env.ONFIDO_POLL_EVERY_MS, maxWaitMs: env.ONFIDO_MAX_WAIT_MS },
    india: {
      panBaseUrl: env.PAN_BASE_URL, panApiKey: env.PAN_API_KEY, panAccessToken: env.PAN_ACCESS_TOKEN, offlineEkycUrl: env.UIDAI_OFFLINE_EKYC_URL,
      uidaiCertificatesPem: env.UIDAI_OFFLINE_EKYC_CERT_PEM.split(/(?<=-----END CERTIFICATE-----)/).map((s) => s.trim()).filter(Boolean), timeoutMs: env.VENDOR_TIMEOUT_MS,
    },
  };
}
