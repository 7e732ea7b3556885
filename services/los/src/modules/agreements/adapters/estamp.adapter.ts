/**
 * EStampPort over an Indian e-stamping vendor's certificate API (SHCIL / state e-stamp style; the local
 * esign-sandbox speaks it): `POST {base}/certificates` with `Authorization: Bearer <api key>` and the agreement's
 * reference as `Idempotency-Key`, amounts in paise as strings → `{certificate_number, issued_at}`. Failures
 * follow callVendor (unavailable → retry later; 4xx → refused).
 */
import { z } from 'zod';
import { callVendor, vendorJson, vendorParse } from '../../kyc/adapters/vendor-http.js';
import type { EStampPort } from '../ports.js';

export interface EStampOptions {
  /** e.g. http://127.0.0.1:3489/estamp/v1 */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

const VENDOR = 'estamp';
const certificate = z.object({ certificate_number: z.string().regex(/^IN-[A-Z]{2}\d{14}[A-Z]$/), issued_at: z.string() });

export function createEStamp(options: EStampOptions): EStampPort {
  return {
    async stamp(r) {
      const answer = await callVendor({
        vendor: VENDOR, url: `${options.baseUrl.replace(/\/$/, '')}/certificates`, method: 'POST', timeoutMs: options.timeoutMs,
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', 'idempotency-key': r.reference },
        body: JSON.stringify({
          state: r.state, article: r.article, description: r.description, first_party: { name: r.firstParty }, second_party: { name: r.secondParty },
          consideration_amount: r.considerationMinor.toString(), duty_amount: r.dutyMinor.toString(), duty_payer: 'second-party', reference: r.reference,
        }),
      });
      const c = vendorParse(VENDOR, 'POST /certificates', certificate, vendorJson(VENDOR, answer, 'POST /certificates'));
      return { certificateNumber: c.certificate_number, issuedAt: c.issued_at };
    },
  };
}
