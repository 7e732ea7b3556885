/**
 * Local development values of the e-sign and eStamp sandbox (a DocuSign eSignature REST v2.1 account with a
 * Connect configuration, and an Indian e-stamping vendor's certificate API, in one process), shared as literal
 * defaults with the LOS's adapters so `bash infra/up.sh` needs no configuration. None is a real credential.
 */
import { envInt } from '../../lib/index.js';

export const ESIGN_SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 3489,
  /** The DocuSign account id every `/restapi/v2.1/accounts/{accountId}` path names. */
  accountId: '7f3c9d2e-lendstack-sandbox-account',
  /** The OAuth access token the adapter sends as `Authorization: Bearer` (DocuSign issues it by JWT grant). */
  accessToken: 'lendstack-esign-sandbox-access-token',
  /** The Connect configuration's HMAC secret: X-DocuSign-Signature-1 = base64 HMAC-SHA256 of the raw body. */
  connectHmacKey: 'lendstack-esign-sandbox-connect-hmac-key',
  /** Where Connect events go: the LOS's POST /v1/webhooks/esign/docusign. */
  connectUrl: 'http://127.0.0.1:3001/v1/webhooks/esign/docusign',
  /** The eStamp vendor's API key (Authorization: Bearer). */
  estampApiKey: 'lendstack-estamp-sandbox-api-key',
  /** After an envelope is sent, the signer views and signs it by itself after this delay; 0: only the /sandbox controls do. */
  autoSignDelayMs: 0,
  maxItems: 10_000,
} as const;

export interface ESignSandboxEnv {
  readonly host: string;
  readonly port: number;
  readonly accountId: string;
  readonly accessToken: string;
  readonly connectHmacKey: string;
  readonly connectUrl: string | undefined;
  readonly estampApiKey: string;
  readonly autoSignDelayMs: number;
  readonly maxItems: number;
}

/** The credential names are the LOS's (DOCUSIGN_*, ESTAMP_API_KEY), so one environment configures both sides. */
export function esignSandboxEnv(env: NodeJS.ProcessEnv): ESignSandboxEnv {
  return {
    host: env.ESIGN_SANDBOX_HOST || ESIGN_SANDBOX_DEFAULTS.host,
    port: envInt(env.ESIGN_SANDBOX_PORT, ESIGN_SANDBOX_DEFAULTS.port, 0, 65_535, 'ESIGN_SANDBOX_PORT'),
    accountId: env.DOCUSIGN_ACCOUNT_ID || ESIGN_SANDBOX_DEFAULTS.accountId,
    accessToken: env.DOCUSIGN_ACCESS_TOKEN || ESIGN_SANDBOX_DEFAULTS.accessToken,
    connectHmacKey: env.DOCUSIGN_CONNECT_HMAC_KEY || ESIGN_SANDBOX_DEFAULTS.connectHmacKey,
    // An empty ESIGN_CONNECT_URL turns Connect off (clients poll the envelope instead).
    connectUrl: env.ESIGN_CONNECT_URL === undefined ? ESIGN_SANDBOX_DEFAULTS.connectUrl : env.ESIGN_CONNECT_URL || undefined,
    estampApiKey: env.ESTAMP_API_KEY || ESIGN_SANDBOX_DEFAULTS.estampApiKey,
    autoSignDelayMs: envInt(env.ESIGN_SANDBOX_AUTO_SIGN_DELAY_MS, ESIGN_SANDBOX_DEFAULTS.autoSignDelayMs, 0, 600_000, 'ESIGN_SANDBOX_AUTO_SIGN_DELAY_MS'),
    maxItems: envInt(env.ESIGN_SANDBOX_MAX_ITEMS, ESIGN_SANDBOX_DEFAULTS.maxItems, 1, 1_000_000, 'ESIGN_SANDBOX_MAX_ITEMS'),
  };
}
