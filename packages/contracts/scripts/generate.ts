/**
 * Writes the generated contract docs from the zod schemas:
 *   schemas/<event>.v<N>.schema.json   one JSON Schema per event version (+ money, envelope header)
 *   schemas/baseline/<same name>       the first published form of each schema, written once, never updated
 *   asyncapi.yaml                      one AsyncAPI 3.0 document for every topic
 * Run with `pnpm --filter @lendstack/contracts generate`. The unit tests fail while these are stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAsyncApiDocument } from '../src/asyncapi.js';
import { generateJsonSchemas, toJsonFile } from '../src/json-schema.js';
import { toYaml } from '../src/yaml.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemasDir = join(root, 'schemas');
const baselineDir = join(schemasDir, 'baseline');

function write(path: string, text: string): void {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (old === text) return;
  writeFileSync(path, text);
  console.log(`${old === undefined ? 'created' : 'updated'} ${path.slice(root.length)}`);
}

mkdirSync(baselineDir, { recursive: true });
for (const { fileName, schema } of generateJsonSchemas()) {
  const text = toJsonFile(schema);
  write(join(schemasDir, fileName), text);
  // A baseline freezes the first published form of a version; the compatibility test compares against it.
  const baseline = join(baselineDir, fileName);
  if (!existsSync(baseline)) write(baseline, text);
}

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
write(join(root, 'asyncapi.yaml'), toYaml(buildAsyncApiDocument(version)));
console.log('contracts: schemas and asyncapi.yaml are up to date');
