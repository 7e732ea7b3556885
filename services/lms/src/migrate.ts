import { fileURLToPath } from 'node:url';
import { migrate } from '@lendstack/platform';
import { loadConfig } from './config.js';

const dir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
const result = await migrate(loadConfig().LMS_DATABASE_URL, dir);
console.log(`lms: applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(', ')}` : ''}; ${result.alreadyApplied.length} already applied`);
