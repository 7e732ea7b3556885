import { readFileSync } from 'node:fs';
import { modelSchema, type EarlyWarningModel } from '../domain/model.js';

/** The committed model (model/npa-90d.v1.json), checked against its schema once at boot. */
export function loadEarlyWarningModel(path: URL = new URL('../model/npa-90d.v1.json', import.meta.url)): EarlyWarningModel {
  return modelSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}
