import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second (USER_HZ). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, ms) a process's threads have used so far, leaving out the threads whose name (`comm`)
 * matches `exclude`: e.g. V8's CPU profiler thread (`v8:ProfEvntProc`), which samples the event loop at 1 kHz and
 * costs tens of milliseconds a second of its own that a process run without `--cpu-prof` does not pay. NaN where
 * there is no procfs.
 */
export function processCpuMsExcept(pid: number, exclude: RegExp): number {
  try {
    let ticks = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (exclude.test(name)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
