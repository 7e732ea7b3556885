import type { Scope } from '@lendstack/platform';

/**
 * What partner credentials (API keys, client-credentials tokens) may do in the LOS beyond reading, by
 * scope. Any GET a partner's role may call needs `read`; a route not listed here is for staff tokens only.
 */
export const LOS_PARTNER_SCOPES: Readonly<Record<string, Scope>> = {
  'POST /v1/quotes': 'read',
  'POST /v1/applications': 'submit',
  'POST /v1/applications/:id/submit': 'submit',
  'POST /v1/applications/:id/documents': 'submit',
  'POST /v1/applications/:id/offers': 'submit',
  'POST /v1/applications/:id/offers/:offerId/accept': 'submit',
  'POST /v1/applications/:id/agreement': 'submit',
  'POST /v1/applications/:id/mandate': 'submit',
};
