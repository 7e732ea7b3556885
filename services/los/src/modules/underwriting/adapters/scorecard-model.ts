import { readFileSync } from 'node:fs';
import { scorecardModelSchema, type ScorecardModel } from '../domain/scorecard.js';

/** The committed model trained by scripts/train-scorecard.ts. */
export const DEFAULT_SCORECARD_MODEL_PATH = new URL('../../../../data/scorecard/model.json', import.meta.url);

/** Reads and validates a scorecard model file; a malformed one stops the LOS at boot. */
export function loadScorecardModel(path: string | URL = DEFAULT_SCORECARD_MODEL_PATH): ScorecardModel {
  return scorecardModelSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}
