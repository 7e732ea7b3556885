/**
 * Summarises V8 CPU profiles written by `BENCH_PROFILE_DIR=... pnpm bench`: self time per package (or
 * per top function with --functions), so "where does a service's time go" has a short answer.
 *   pnpm --filter @lendstack/testing exec tsx bench/profile-summary.ts <file.cpuprofile> [--functions] [--top N]
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [--functions] [--top N]');
  process.exit(2);
}
const top = Number(args[args.indexOf('--top') + 1]) || 25;
const byFunction = args.includes('--functions');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

/** A bucket name for a frame: the npm package, a workspace path, node internals or V8 states. */
function bucket(node: Node): string {
  const { url, functionName, lineNumber } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : `(${functionName || 'anonymous'})`;
  if (byFunction) return `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(services|packages)\//, '$1/')}:${lineNumber + 1}`;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const ws = /\/((?:services|packages)\/[^/]+)\//.exec(url);
  return ws ? ws[1]! : url;
}

const selfUs = new Map<string, number>();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const key = bucket(nodes.get(id)!);
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  totalUs += dt;
});
const idle = selfUs.get('(idle)') ?? 0;
console.log(`${file}\nwall ${(totalUs / 1e6).toFixed(1)} s, busy ${((totalUs - idle) / 1e6).toFixed(1)} s (self time by ${byFunction ? 'function' : 'package'}, idle excluded)`);
for (const [key, us] of [...selfUs].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * us) / (totalUs - idle)).toFixed(1).padStart(5)} %  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${key}`);
}
