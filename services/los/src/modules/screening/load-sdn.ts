import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSdnList, type SanctionsList } from './sdn-list.js';

/** The excerpt shipped with the LOS (services/los/data/sanctions, see its README). */
export const BUNDLED_SANCTIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../data/sanctions');

/** Reads sdn.csv (required), alt.csv and add.csv (optional) from a directory in OFAC's legacy CSV layout. */
export function loadSdnListFromDirectory(dir: string = BUNDLED_SANCTIONS_DIR): SanctionsList {
  const read = (file: string): string | undefined => {
    const path = join(dir, file);
    return existsSync(path) ? readFileSync(path, 'latin1') : undefined;
  };
  const sdn = read('sdn.csv');
  if (sdn === undefined) throw new Error(`no sdn.csv in ${dir}`);
  return parseSdnList({ sdn, alt: read('alt.csv'), add: read('add.csv') });
}
