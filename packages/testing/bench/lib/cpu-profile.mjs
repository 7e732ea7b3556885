// Loaded with `node --import` (NODE_OPTIONS) by the pipeline bench when BENCH_PROFILE_DIR is set:
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so this starts the V8 profiler itself in the service
// process (`tsx src/bin.ts`, not the pnpm/tsx wrappers) and writes a .cpuprofile on SIGUSR2, which
// the bench sends before it stops the services (a shutdown may end the process before an async write).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.BENCH_PROFILE_DIR;
const wrapper = process.argv.some((a) => a.includes('tsx/dist/cli') || /\/pnpm(\.c?js)?$/.test(a));
if (dir && isMainThread && !wrapper && process.argv.some((a) => a.endsWith('src/bin.ts'))) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // Each SIGUSR2 writes what was profiled since the start or the previous one (the first as
  // <name>-<pid>.cpuprofile, the next as <name>-<pid>-2.cpuprofile, ...) and profiles on, so a bench can
  // profile just one of its phases.
  let written = 0;
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (error, result) => {
      written += 1;
      if (!error) writeFileSync(`${dir}/${process.env.BENCH_PROFILE_NAME ?? 'service'}-${process.pid}${written > 1 ? `-${written}` : ''}.cpuprofile`, JSON.stringify(result.profile));
      session.post('Profiler.start');
    });
  });
}
