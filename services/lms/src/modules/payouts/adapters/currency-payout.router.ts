import type { PayoutPort } from '../ports.js';

/**
 * One PayoutPort over several rails, chosen by the payout's currency (INR → RazorpayX, USD → ACH in main.ts).
 * A currency with no rail is refused as unsupported-currency, nothing sent. status() asks the rail whose
 * provider ids carry the given prefix (ACH ids start `ach_`), else the default rail. Webhooks are per rail
 * (each has its own route); verifyWebhook is the default rail's.
 */
export function createCurrencyPayoutRouter(rails: Readonly<Record<string, PayoutPort>>, options: { readonly defaultCurrency: string; readonly providerPrefixes?: Readonly<Record<string, string>> }): PayoutPort {
  const fallback = rails[options.defaultCurrency];
  if (!fallback) throw new Error(`no payout rail for the default currency ${options.defaultCurrency}`);
  return {
    async submit(request) {
      const rail = rails[request.amount.currency];
      if (!rail) return { error: { code: 'unsupported-currency', detail: `no payout rail for ${request.amount.currency} (rails: ${Object.keys(rails).join(', ')})`, field: 'amount' } };
      return rail.submit(request);
    },
    async status(providerPayoutId) {
      const currency = Object.entries(options.providerPrefixes ?? {}).find(([, prefix]) => providerPayoutId.startsWith(prefix))?.[0];
      return (currency ? rails[currency]! : fallback).status(providerPayoutId);
    },
    verifyWebhook: (raw, headers) => fallback.verifyWebhook(raw, headers),
  };
}
