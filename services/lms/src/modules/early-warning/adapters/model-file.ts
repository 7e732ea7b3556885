import { readFileSync } from 'node:fs';
import { modelId, modelSchema, type EarlyWarningModel } from '../domain/model.js';

/** The committed model (model/npa-90d.v1.json), checked against its schema once at boot. */
export function loadEarlyWarningModel(path: URL = new URL('../model/npa-90d.v1.json', import.meta.url)): EarlyWarningModel {
  return modelSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const byId = new Map<string, EarlyWarningModel>();

/**
 * The model a stored score names (`npa-90d.v1` → model/npa-90d.v1.json), read once: the factors of a score are
 * derived from its features with the model that scored it, so a model's file stays while its scores are kept.
 */
export function modelById(id: string): EarlyWarningModel {
  const cached = byId.get(id);
  if (cached) return cached;
  if (!/^[a-z0-9-]+\.v[0-9]+$/.test(id)) throw new Error(`early-warning model id ${JSON.stringify(id)} is not <name>.v<version>`);
  const model = loadEarlyWarningModel(new URL(`../model/${id}.json`, import.meta.url));
  if (modelId(model) !== id) throw new Error(`model file ${id}.json holds ${modelId(model)}`);
  byId.set(id, model);
  return model;
}
