import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { dpdSchema, engineEventShape } from './loan-lifecycle.v1.js';

const decimalString = (places: number) => z.string().regex(new RegExp(`^-?\\d+\\.\\d{${places}}$`), `a decimal with ${places} places`);

/** One factor of the score: the feature, its value for the loan, and its contribution to the logit. */
export const earlyWarningFactorSchema = z
  .object({
    feature: z.string().min(1).max(60).describe("The model feature's name (the model card in the README lists them)"),
    value: z.number().finite().describe('The feature value for the loan at businessDate'),
    contribution: decimalString(4).describe('coefficient × standardised value: what this factor adds to the logit'),
  })
  .strict();

/**
 * The LMS's NPA early-warning model scored the loan at end of day and its probability of reaching 90+
 * days past due within 90 days crossed the model's threshold (it was below, or not scored, the day the
 * loan was last scored). Once per loan and business date (`eventKey` `early-warning:<date>`). For
 * collections staff and the LOS (repeat and top-up applications); it moves no money.
 */
export const loanEarlyWarningRaisedV1PayloadSchema = z
  .object({
    ...engineEventShape,
    probability: decimalString(4).describe('P(90+ DPD within 90 days), four places'),
    threshold: decimalString(4).describe('The model threshold the probability reached'),
    model: z.string().min(1).max(60).describe('Model name and version, e.g. npa-90d.v1'),
    dpd: dpdSchema,
    topFactors: z.array(earlyWarningFactorSchema).min(1).max(5).describe('The factors adding most to the logit, largest first'),
  })
  .strict();
export type LoanEarlyWarningRaisedV1Payload = z.infer<typeof loanEarlyWarningRaisedV1PayloadSchema>;

/** LoanEarlyWarningRaised v1. Key `early-warning:<businessDate>`. */
export const loanEarlyWarningRaisedV1Schema = envelopeSchema('LoanEarlyWarningRaised', 1, loanEarlyWarningRaisedV1PayloadSchema);
export type LoanEarlyWarningRaisedV1 = z.infer<typeof loanEarlyWarningRaisedV1Schema>;
