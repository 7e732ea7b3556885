import { randomUUID } from 'node:crypto';
import { loanApprovedV1Schema, type LoanApprovedV1 } from './events/loan-approved.v1.js';

type Payload = LoanApprovedV1['payload'];
type Envelope = Omit<LoanApprovedV1, 'payload' | 'type' | 'version'>;

/** What a test may change in a sample LoanApproved v1; everything else keeps realistic defaults. */
export interface SampleLoanApprovedV1Overrides {
  /** Sets `subject` (the Kafka key) and `payload.loan.id` together. Default: a fresh `loan-<uuid>`. */
  loanId?: string;
  /** Sets the envelope `tenantId` and `payload.loan.tenantId` together. */
  tenantId?: string;
  /** Envelope fields (id, source, occurredAt, correlationId, …); applied after loanId / tenantId. */
  envelope?: Partial<Envelope>;
  /** Shallow overrides of `payload.loan`, e.g. `{ principal: { amount: '5000000', currency: 'INR', scale: 2 } }`. */
  loan?: Partial<Payload['loan']>;
  /** Shallow overrides of `payload.borrower`. */
  borrower?: Partial<Payload['borrower']>;
}

/**
 * A valid LoanApproved v1 for tests: an Indian personal loan of INR 5,00,000.00 over 36 months with a
 * financed processing fee. Each call gets a fresh event id, correlation id and (unless given) loan id,
 * so events built in one test never collide in an inbox. Throws if the overrides make it invalid, so a
 * test that needs a malformed event builds a valid one and then breaks it on purpose.
 */
export function sampleLoanApprovedV1(overrides: SampleLoanApprovedV1Overrides = {}): LoanApprovedV1 {
  const loanId = overrides.loanId ?? `loan-${randomUUID()}`;
  const tenantId = overrides.tenantId ?? 'tenant-acme-finance';
  const account = {
    holderName: 'Priya Sharma',
    accountNumberMasked: 'XXXXXXXX4321',
    accountToken: 'tok_acct_8f3a2c91d4e5',
    bankCode: 'HDFC0001234',
    mandateReference: 'NACH-UMRN-HDFC7000012345',
  };
  const event: LoanApprovedV1 = {
    id: randomUUID(),
    type: 'LoanApproved',
    version: 1,
    source: 'los',
    subject: loanId,
    occurredAt: '2025-01-15T10:30:00.000+05:30',
    tenantId,
    correlationId: randomUUID(),
    ...overrides.envelope,
    payload: {
      borrower: {
        id: 'bor-7f3c2a',
        name: { given: 'Priya', family: 'Sharma' },
        contact: { email: 'priya.sharma@example.in', phone: '+919876543210' },
        address: { line1: '14 MG Road', city: 'Bengaluru', region: 'KA', postalCode: '560001', country: 'IN' },
        nationalId: { type: 'PAN', masked: 'XXXXXX234F', token: 'tok_pan_1c9e77b0a2' },
        bankAccount: account,
        ...overrides.borrower,
      },
      loan: {
        id: loanId,
        tenantId,
        productCode: 'PL-36M',
        applicationId: 'app-20250115-0042',
        principal: { amount: '50000000', currency: 'INR', scale: 2 },
        annualRatePercent: '14.5',
        termPeriods: 36,
        frequency: 'monthly',
        scheduleMethod: 'equal-installment',
        interestCalculation: 'per-period',
        dayCount: '30/360',
        expectedDisbursementDate: '2025-01-17',
        firstDueDate: '2025-02-05',
        fees: [
          {
            code: 'PROC',
            name: 'Processing fee',
            amount: { amount: '1000000', currency: 'INR', scale: 2 },
            timing: 'financed',
          },
        ],
        disbursementAccount: account,
        offerId: 'offer-9b1d',
        kfsReference: 'KFS-2025-000042',
        approvedAt: '2025-01-15T10:29:58.000+05:30',
        approvedBy: 'underwriter:anita.rao',
        ...overrides.loan,
      },
    },
  };
  return loanApprovedV1Schema.parse(event);
}
