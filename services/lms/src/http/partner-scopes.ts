import type { Scope } from '@lendstack/platform';

/**
 * What partner credentials (API keys, client-credentials tokens) may change in the LMS, by scope. Reading
 * (any GET a partner's role may call) needs `read`; a route not listed here is for staff tokens only.
 */
export const LMS_PARTNER_SCOPES: Readonly<Record<string, Scope>> = {
  'POST /v1/loans/:id/repayments': 'service',
  'POST /v1/repayment-files': 'service',
};
