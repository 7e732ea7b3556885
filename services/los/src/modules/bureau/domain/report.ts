/** A consumer credit report as the LOS reads it (the bureau adapter maps the vendor's answer to this). */
export interface BureauTradeline {
  readonly portfolioType: 'C' | 'I' | 'M' | 'O' | 'R';
  readonly accountType: string;
  /** YYYY-MM-DD */
  readonly dateOpened: string;
  /** Minor units at the report's scale. */
  readonly scheduledMonthlyPayment: bigint;
  readonly currentBalance: bigint;
  readonly amountPastDue: bigint;
  /** Metro 2 field 17A. */
  readonly accountStatus: string;
  /** Metro 2 payment rating (this month). */
  readonly paymentRating: string;
  /** Metro 2 payment history profile: 24 months, most recent (last month) first. */
  readonly paymentHistoryProfile: string;
}

export interface BureauReport {
  readonly id: string;
  /** YYYY-MM-DD: the date the features are "as of". */
  readonly reportDate: string;
  readonly currency: string;
  readonly scale: number;
  readonly score: number | null;
  readonly tradelines: readonly BureauTradeline[];
  readonly inquiries: readonly { readonly date: string }[];
}
