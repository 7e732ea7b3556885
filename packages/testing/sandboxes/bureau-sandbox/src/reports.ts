/**
 * Deterministic synthetic credit reports, chosen by the last four digits of the national id (see
 * `bureauScenario`). Tradelines carry Metro 2 base-segment fields (CRRG names as in github.com/cfpb/Metro2
 * `django/parse_m2/fields.py`): portfolio type (C/I/M/O/R), account type, date opened, credit limit, highest
 * credit, scheduled monthly payment, current balance, amount past due, account status (field 17A: 11 current,
 * 71 30–59 days, 78 60–89, 80 90–119, 97 charge-off, 13 paid/closed …), payment rating and the 24-month
 * payment history profile, most recent month first (0 current, 1–6 30…180+ days, B no history before,
 * D no history this month, E zero balance, G collection, L charge-off).
 */
import { createHash } from 'node:crypto';

export type BureauFault = 'none' | 'server-error' | 'timeout' | 'malformed-json';

export interface Tradeline {
  readonly accountId: string;
  readonly subscriberName: string;
  readonly portfolioType: 'C' | 'I' | 'M' | 'O' | 'R';
  readonly accountType: string;
  readonly dateOpened: string;
  readonly creditLimit: string;
  readonly highestCredit: string;
  readonly scheduledMonthlyPayment: string;
  readonly currentBalance: string;
  readonly amountPastDue: string;
  readonly accountStatus: string;
  readonly paymentRating: string;
  readonly paymentHistoryProfile: string;
  readonly dateOfAccountInformation: string;
  readonly dateClosed: string | null;
}

export interface CreditReport {
  readonly id: string;
  readonly reportDate: string;
  readonly consumer: { readonly nationalIdMasked: string; readonly nameOnFile: string };
  readonly currency: string;
  readonly scale: 2;
  readonly score: { readonly model: string; readonly value: number | null; readonly range: readonly [number, number]; readonly noHitReason: string | null };
  readonly tradelines: readonly Tradeline[];
  readonly inquiries: readonly { readonly date: string; readonly subscriberName: string; readonly purpose: string }[];
}

export type Scenario = 'clean' | 'thin-file' | 'recent-90-dpd' | 'old-60-dpd' | 'many-enquiries' | 'high-obligations' | 'charge-off';

/**
 * Last four digits of the national id → what the report says:
 * 9001 thin file (no tradelines, no score), 9002 90 days past due 3 months ago, 9003 60 days past due 15
 * months ago only, 9004 seven enquiries in the last 6 months, 9005 high monthly obligations, 9006 a card
 * charged off; 9500 answers 500, 9501 never answers in time, 9502 answers with a body that is not JSON.
 * Anything else: a clean file of three tradelines, all current.
 */
export function bureauScenario(nationalId: string): { scenario: Scenario; fault: BureauFault } {
  const digits = nationalId.replace(/\D/g, '').slice(-4);
  const faults: Record<string, BureauFault> = { '9500': 'server-error', '9501': 'timeout', '9502': 'malformed-json' };
  const scenarios: Record<string, Scenario> = { '9001': 'thin-file', '9002': 'recent-90-dpd', '9003': 'old-60-dpd', '9004': 'many-enquiries', '9005': 'high-obligations', '9006': 'charge-off' };
  return { scenario: scenarios[digits] ?? 'clean', fault: faults[digits] ?? 'none' };
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const monthsBefore = (d: Date, months: number, day = 5) => isoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, day)));
const daysBefore = (d: Date, days: number) => isoDate(new Date(d.getTime() - days * 86_400_000));

/** A 24-month profile: `opened` months of history (older months 'B'), `marks` overriding months (0 = last month). */
function profile(openedMonthsAgo: number, marks: Record<number, string> = {}): string {
  return Array.from({ length: 24 }, (_, i) => marks[i] ?? (i < openedMonthsAgo ? '0' : 'B')).join('');
}

export function buildReport(input: { id: string; nationalId: string; name: string; country: string; at: Date }): CreditReport {
  const { scenario } = bureauScenario(input.nationalId);
  const at = input.at;
  const today = isoDate(at);
  const seed = createHash('sha256').update(input.nationalId).digest();
  const inr = input.country.toUpperCase() === 'IN';
  // Amounts in minor units at scale 2; the Indian file is in rupees, the rest in dollars.
  const unit = (rupees: number, dollars: number) => String((inr ? rupees : dollars) * 100);
  const line = (n: number, t: Partial<Tradeline> & Pick<Tradeline, 'portfolioType' | 'accountType' | 'paymentHistoryProfile'>): Tradeline => ({
    accountId: `TL${seed.readUInt32BE(n * 4).toString(36).toUpperCase()}`,
    subscriberName: ['Sandbox Bank', 'Sandbox Cards', 'Sandbox Motors Finance', 'Sandbox NBFC'][n % 4]!,
    dateOpened: monthsBefore(at, 36), creditLimit: '0', highestCredit: '0', scheduledMonthlyPayment: '0', currentBalance: '0', amountPastDue: '0',
    accountStatus: '11', paymentRating: '0', dateOfAccountInformation: today, dateClosed: null,
    ...t,
  });
  const personal = line(0, { portfolioType: 'I', accountType: '01', dateOpened: monthsBefore(at, 30), highestCredit: unit(300_000, 12_000), currentBalance: unit(120_000, 4_800), scheduledMonthlyPayment: unit(11_500, 420), paymentHistoryProfile: profile(24) });
  const card = line(1, { portfolioType: 'R', accountType: '18', dateOpened: monthsBefore(at, 60), creditLimit: unit(150_000, 8_000), highestCredit: unit(90_000, 5_200), currentBalance: unit(40_000, 1_900), scheduledMonthlyPayment: unit(2_000, 95), paymentHistoryProfile: profile(24) });
  const auto = line(2, { portfolioType: 'I', accountType: '00', dateOpened: monthsBefore(at, 18), highestCredit: unit(600_000, 24_000), currentBalance: unit(380_000, 15_500), scheduledMonthlyPayment: unit(14_200, 510), paymentHistoryProfile: profile(17) });
  let tradelines: Tradeline[] = [personal, card, auto];
  let inquiries = [{ date: monthsBefore(at, 3, 12), subscriberName: 'Sandbox Cards', purpose: 'credit-card' }, { date: monthsBefore(at, 14, 20), subscriberName: 'Sandbox Motors Finance', purpose: 'auto-loan' }];
  let score: number | null = 720 + (seed[0]! % 80);
  switch (scenario) {
    case 'thin-file':
      tradelines = [];
      inquiries = [];
      score = null;
      break;
    case 'recent-90-dpd':
      tradelines = [{ ...personal, accountStatus: '11', paymentRating: '0', paymentHistoryProfile: profile(24, { 0: '0', 1: '1', 2: '2', 3: '3', 4: '2', 5: '1' }) }, card, auto];
      score = 590;
      break;
    case 'old-60-dpd':
      tradelines = [personal, { ...card, paymentHistoryProfile: profile(24, { 14: '1', 15: '2' }) }, auto];
      score = 688;
      break;
    case 'many-enquiries':
      inquiries = Array.from({ length: 7 }, (_, i) => ({ date: daysBefore(at, 10 + i * 21), subscriberName: ['Sandbox Bank', 'Sandbox NBFC', 'Sandbox Cards'][i % 3]!, purpose: 'personal-loan' }));
      score = 655;
      break;
    case 'high-obligations':
      tradelines = [personal, card, auto, line(3, { portfolioType: 'M', accountType: '26', dateOpened: monthsBefore(at, 40), highestCredit: unit(4_500_000, 320_000), currentBalance: unit(4_100_000, 290_000), scheduledMonthlyPayment: unit(42_000, 2_150), paymentHistoryProfile: profile(24) })];
      break;
    case 'charge-off':
      tradelines = [personal, { ...card, accountStatus: '97', paymentRating: 'L', amountPastDue: card.currentBalance, paymentHistoryProfile: profile(24, { 0: 'L', 1: '6', 2: '5', 3: '4', 4: '3', 5: '2', 6: '1' }) }, auto];
      score = 540;
      break;
    case 'clean':
      break;
  }
  return {
    id: input.id,
    reportDate: today,
    consumer: { nationalIdMasked: `${'X'.repeat(Math.max(0, input.nationalId.length - 4))}${input.nationalId.slice(-4)}`, nameOnFile: input.name.toUpperCase() },
    currency: inr ? 'INR' : 'USD',
    scale: 2,
    score: { model: inr ? 'Sandbox bureau score 300-900' : 'Sandbox bureau score 300-850', value: score, range: inr ? [300, 900] : [300, 850], noHitReason: score === null ? 'NH: no credit history' : null },
    tradelines,
    inquiries,
  };
}
