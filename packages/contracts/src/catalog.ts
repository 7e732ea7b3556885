import { eventSchemas, type EventKey } from './registry.js';
import { topics } from './topics.js';

export type TopicKey = keyof typeof topics;
export type ServiceName = 'los' | 'lms';

/** What the docs need to know about one event version beyond its zod schema. */
export interface EventDoc {
  readonly name: string;
  readonly version: number;
  readonly topic: TopicKey;
  readonly producer: ServiceName;
  readonly consumers: readonly ServiceName[];
  readonly summary: string;
}

/**
 * Documentation of every entry of `eventSchemas`: the topic it travels on, who sends and who reads it.
 * `satisfies Record<EventKey, …>` makes adding an event to the registry without documenting it a
 * type error, so the generated JSON Schema and AsyncAPI cannot silently miss an event.
 */
export const eventCatalog = {
  'LoanApproved.v1': {
    name: 'LoanApproved',
    version: 1,
    topic: 'loanApproved',
    producer: 'los',
    consumers: ['lms'],
    summary:
      'The LOS approved an application: borrower (identity masked or tokenised), loan terms, fees and the ' +
      'disbursement account. The LMS books the loan account and its repayment schedule from it.',
  },
  'LoanBookingRejected.v1': {
    name: 'LoanBookingRejected',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'The LMS refused to book an approved loan (invalid event, unbookable terms or a duplicate loan id), with the ' +
      'reason. The LOS moves the application to booking-failed; the refused LoanApproved is on the dead-letter topic.',
  },
  'ProductPublished.v1': {
    name: 'ProductPublished',
    version: 1,
    topic: 'products',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'A new version of a lending product (per tenant, owned by the LMS): ranges, schedule, allocation order, late fee, ' +
      'penal interest, prepayment charge, thresholds, buckets and chart of accounts. Keyed by <tenant>:<code> on a compacted ' +
      'topic, so the latest version of every product stays readable; the LOS quotes and validates with it.',
  },
  'LoanDisbursed.v1': {
    name: 'LoanDisbursed',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'A tranche of the loan was paid out: amount, value date, cumulative disbursed and the payout reference. ' +
      'Keyed by loan id; the id derives from (loan id, engine effect key), so a replay publishes nothing new.',
  },
  'RepaymentReceived.v1': {
    name: 'RepaymentReceived',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'A repayment took effect: amount, value date, channel, rail reference and its allocation by component and by ' +
      'installment, with any excess (or, on a charged-off loan, recovery). The parts sum to the amount.',
  },
  'TransactionReversed.v1': {
    name: 'TransactionReversed',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'A repayment was reversed (returned, bounced, entered in error) with its reason and value date; the loan is ' +
      'replayed without it, and the lifecycle events that follow reflect the new history.',
  },
  'RepaymentReallocated.v1': {
    name: 'RepaymentReallocated',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: [],
    summary:
      'A repayment already published is split differently after a backdated repayment, a reversal or a disbursement ' +
      'replayed the loan: its previous and new allocation and the transaction that caused it. One per changed repayment ' +
      'and cause; the id derives from (loan id, reallocation:<transaction>:<cause>), so a retry publishes nothing new.',
  },
  'InstallmentDue.v1': {
    name: 'InstallmentDue',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'An installment fell due at end of day (business date = due date), with its scheduled principal, interest and fees.',
  },
  'InstallmentOverdue.v1': {
    name: 'InstallmentOverdue',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'An installment went past due with principal, interest or fees unpaid (the day after its due date).',
  },
  'InstallmentPaid.v1': {
    name: 'InstallmentPaid',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'An installment was settled in full, penalties included, with what it received by component.',
  },
  'DelinquencyChanged.v1': {
    name: 'DelinquencyChanged',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'The US delinquency bucket or the RBI class (standard, SMA-0/1/2, NPA) changed, with DPD, the previous day\'s ' +
      'classification and the oldest unpaid due date, as of the LMS business date.',
  },
  'AccrualStatusChanged.v1': {
    name: 'AccrualStatusChanged',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'The loan moved to non-accrual (unpaid interest and penalties leave income) or back to accruing.',
  },
  'LoanChargedOff.v1': {
    name: 'LoanChargedOff',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'The loan was charged off at its charge-off DPD or written off by an operator (writeOff): principal written off; later payments are recoveries.',
  },
  'LoanClosed.v1': {
    name: 'LoanClosed',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'The loan closed (repaid; later also foreclosed, top-up), on the LMS business date.',
  },
  'LoanReopened.v1': {
    name: 'LoanReopened',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: [],
    summary:
      'A foreclosure no longer covers the payoff on its value date after a backdated change: the loan it closed is open again.',
  },
  'PrepaymentApplied.v1': {
    name: 'PrepaymentApplied',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: [],
    summary:
      'Principal was paid ahead and the rest of the loan re-amortised (reduce-installment or reduce-term); the replaced schedule is kept as a version.',
  },
  'LoanRestructured.v1': {
    name: 'LoanRestructured',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: [],
    summary:
      'A restructuring (new rate, installments, principal moratorium, arrears capitalised) proposed by one operator was approved by ' +
      'another; the loan is flagged restructured and the replaced schedule is kept as a version.',
  },
  'CollectionsFlagRaised.v1': {
    name: 'CollectionsFlagRaised',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'The collector saw a pattern that precedes default (two bounced debits in a row, a broken promise to pay, DPD rising ' +
      'two month ends running), once per occurrence, as of the LMS business date. Superseded by v2 (the LMS publishes v2; ' +
      'readers upcast v1 to v2 unchanged).',
  },
  'CollectionsFlagRaised.v2': {
    name: 'CollectionsFlagRaised',
    version: 2,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      'As v1, with one more pattern: npa-risk, raised by the collector once per NPA early warning (LoanEarlyWarningRaised) ' +
      'with the probability, model and top factors it acts on. The LOS keeps the latest flag per loan in the borrower profile.',
  },
  'LoanEarlyWarningRaised.v1': {
    name: 'LoanEarlyWarningRaised',
    version: 1,
    topic: 'loanLifecycle',
    producer: 'lms',
    consumers: ['los'],
    summary:
      "The LMS's NPA early-warning model, re-scored at end of day, put the loan's probability of reaching 90+ days past due " +
      'within 90 days at or above its threshold (below it, or unscored, the last time), with the factors adding most to the score.',
  },
  'ApplicationSubmitted.v1': {
    name: 'ApplicationSubmitted',
    version: 1,
    topic: 'applications',
    producer: 'los',
    consumers: [],
    summary: 'A partner submitted an application: product, requested principal and who submitted it (no personal data). Its checks start next.',
  },
  'ApplicationChecksStarted.v1': {
    name: 'ApplicationChecksStarted',
    version: 1,
    topic: 'applications',
    producer: 'los',
    consumers: [],
    summary: 'The application is checks-running: the run number (1 at submission, +1 per operator re-run) and the kinds of check it performs.',
  },
  'ApplicationChecksCompleted.v1': {
    name: 'ApplicationChecksCompleted',
    version: 1,
    topic: 'applications',
    producer: 'los',
    consumers: [],
    summary:
      'Every check of the application completed: each with its kind, result (pass, refer, fail), score and reasons. ' +
      'The application is checks-complete; where its product has an underwriting policy in effect the automated decision ' +
      'follows at once (policy-approved, referred or declined), else an operator may approve it unless a check failed.',
  },
  'ApplicationCheckException.v1': {
    name: 'ApplicationCheckException',
    version: 1,
    topic: 'applications',
    producer: 'los',
    consumers: [],
    summary:
      'At least one check could not conclude (a vendor stayed down after its retries, or answered unusably): the ' +
      'application is checks-exception, parked for an operator to re-run the check; it cannot be approved meanwhile.',
  },
} as const satisfies Record<EventKey, EventDoc>;

export const eventKeys = Object.keys(eventSchemas) as EventKey[];

/** `LoanApproved` → `loan-approved`. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z\d])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/** `LoanApproved.v1` → `loan-approved.v1`: the name of its schema file and its fixtures folder. */
export function eventSlug(key: EventKey): string {
  const doc = eventCatalog[key];
  return `${kebabCase(doc.name)}.v${doc.version}`;
}

/** `LoanApproved.v1` → `loan-approved.v1.schema.json`, the committed JSON Schema of that version. */
export function schemaFileName(key: EventKey): string {
  return `${eventSlug(key)}.schema.json`;
}

/** `$id` base of the committed schemas: an identifier, not a promise that the URL is served. */
export const schemaIdBase = 'https://lendstack.dev/contracts/schemas/';
