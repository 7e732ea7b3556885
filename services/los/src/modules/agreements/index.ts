import { readFileSync } from 'node:fs';
import { AGREEMENT_TEMPLATE_VERSION } from './domain/agreement.js';

export { createPgAgreementStore } from './adapters/pg-agreement.store.js';
export { createDocuSignESign, type DocuSignOptions } from './adapters/docusign-esign.adapter.js';
export { createEStamp, type EStampOptions } from './adapters/estamp.adapter.js';
export { renderAgreement, type AgreementRenderer } from './adapters/pdfkit-agreement.renderer.js';
export { agreementRoutes, type AgreementRoutesDeps } from './adapters/agreements.routes.js';
export { docuSignWebhookRoutes, type DocuSignWebhookRoutesDeps } from './adapters/docusign-webhook.routes.js';
export { AGREEMENT_TEMPLATE_VERSION } from './domain/agreement.js';
export type { AgreementStore, ESignPort, EStampPort } from './ports.js';

/** A template by version, from templates/<version>.txt (data kept in the repository; a new wording is a new file). */
export function loadAgreementTemplate(version: string = AGREEMENT_TEMPLATE_VERSION): { version: string; text: string } {
  return { version, text: readFileSync(new URL(`./templates/${version}.txt`, import.meta.url), 'utf8') };
}
