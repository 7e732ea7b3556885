/**
 * Local development values of the card-on-file sandbox (a card processor's tokenisation and merchant-initiated
 * payment API), shared as literal defaults with the LMS's adapter. None is a real credential.
 */
import { envInt } from '../../lib/index.js';

export const CARD_SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 3488,
  apiKey: 'lendstack-card-sandbox-api-key',
  maxItems: 10_000,
} as const;

export interface CardSandboxEnv {
  readonly host: string;
  readonly port: number;
  readonly apiKey: string;
  readonly maxItems: number;
}

/** The credential name is the LMS's (CARD_API_KEY), so one environment configures both sides. */
export function cardSandboxEnv(env: NodeJS.ProcessEnv): CardSandboxEnv {
  return {
    host: env.CARD_SANDBOX_HOST || CARD_SANDBOX_DEFAULTS.host,
    port: envInt(env.CARD_SANDBOX_PORT, CARD_SANDBOX_DEFAULTS.port, 0, 65_535, 'CARD_SANDBOX_PORT'),
    apiKey: env.CARD_API_KEY || CARD_SANDBOX_DEFAULTS.apiKey,
    maxItems: envInt(env.CARD_SANDBOX_MAX_ITEMS, CARD_SANDBOX_DEFAULTS.maxItems, 1, 1_000_000, 'CARD_SANDBOX_MAX_ITEMS'),
  };
}
