/**
 * Tightenings made inside a published version, each recorded in CHANGELOG.md with its reason. Only a
 * change that refuses messages NO consumer could ever honour belongs here (a value the LMS cannot
 * book, so an event carrying it was already dead-lettered): such a change breaks no working reader
 * or writer. Anything else is a new version. `findBreakingChanges` output starting with `change`, on
 * the schema file `schema`, is accepted; the compatibility test fails on an entry that no longer
 * matches anything, so the list cannot outlive its reason.
 */
export interface AcceptedChange {
  readonly schema: string;
  /** The start of a `findBreakingChanges` line: the path and the keyword that changed. */
  readonly change: string;
  /** The CHANGELOG.md entry that explains it. */
  readonly changelog: string;
}

const bookable = 'LoanApproved v1: bookable values only (2026-12-01)';

const moneyAt = (schema: string, path: string, amountPattern = true): AcceptedChange[] => [
  ...(amountPattern ? [{ schema, change: `${path}amount: pattern changed`, changelog: bookable }] : []),
  { schema, change: `${path}currency: pattern changed`, changelog: bookable },
  { schema, change: `${path}currency: enum`, changelog: bookable },
];

export const acceptedChanges: readonly AcceptedChange[] = [
  ...moneyAt('loan-approved.v1.schema.json', 'payload.loan.principal.'),
  ...moneyAt('loan-approved.v1.schema.json', 'payload.loan.fees[].amount.'),
  { schema: 'loan-approved.v1.schema.json', change: 'payload.loan.expectedDisbursementDate: pattern changed', changelog: bookable },
  { schema: 'loan-approved.v1.schema.json', change: 'payload.loan.firstDueDate: pattern changed', changelog: bookable },
  ...moneyAt('money.schema.json', ''),
];

/** The breaking changes of `found` not covered by an accepted change of `schema`. */
export function unacceptedChanges(schema: string, found: readonly string[]): string[] {
  const accepted = acceptedChanges.filter((a) => a.schema === schema);
  return found.filter((line) => !accepted.some((a) => line.startsWith(a.change)));
}
