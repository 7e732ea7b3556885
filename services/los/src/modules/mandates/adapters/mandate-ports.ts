import type { LosConfig } from '../../../config.js';
import type { MandateRail } from '../domain/mandate.js';
import type { MandatePort } from '../ports.js';
import { createNachEmandateAdapter } from './nach-emandate.adapter.js';
import { createStripeAchAdapter } from './stripe-ach-mandate.adapter.js';

type MandateConfig = Pick<LosConfig, 'NACH_BASE_URL' | 'NACH_API_KEY' | 'NACH_WEBHOOK_SECRET' | 'STRIPE_BASE_URL' | 'STRIPE_API_KEY' | 'STRIPE_WEBHOOK_SECRET' | 'MANDATE_WEBHOOK_TOLERANCE_SECONDS' | 'VENDOR_TIMEOUT_MS' | 'MANDATE_PROCESSOR_MAX_ATTEMPTS'>;

/** The processors the LOS registers mandates with, by rail: NACH e-mandates (INR) and US ACH authorisations (USD). No UPI AutoPay processor yet. */
export function createMandatePorts(config: MandateConfig): Partial<Record<MandateRail, MandatePort>> {
  const common = { webhookToleranceSeconds: config.MANDATE_WEBHOOK_TOLERANCE_SECONDS, timeoutMs: config.VENDOR_TIMEOUT_MS, maxAttempts: config.MANDATE_PROCESSOR_MAX_ATTEMPTS };
  return {
    nach: createNachEmandateAdapter({ ...common, baseUrl: config.NACH_BASE_URL, apiKey: config.NACH_API_KEY, webhookSecret: config.NACH_WEBHOOK_SECRET }),
    ach: createStripeAchAdapter({ ...common, baseUrl: config.STRIPE_BASE_URL, apiKey: config.STRIPE_API_KEY, webhookSecret: config.STRIPE_WEBHOOK_SECRET }),
  };
}
