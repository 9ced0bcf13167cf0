// Preload for bench/scale-out.ts (SCALE_OUT_CPU_PROF=<dir>): Node 20 refuses --cpu-prof in
// NODE_OPTIONS, so this starts the V8 profiler through node:inspector and writes
// <dir>/server-<pid>.cpuprofile when the process winds down (SIGTERM → graceful close).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.SCALE_OUT_CPU_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on('beforeExit', write);
  process.on('SIGTERM', () => setTimeout(write, 0));
}
