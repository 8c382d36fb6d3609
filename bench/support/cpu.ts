import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second (USER_HZ); 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, ms) a process has used so far, from `/proc/<pid>/stat`; with `thread`, that thread's alone
 * (`/proc/<pid>/task/<tid>/stat`: a Node process's event loop is the thread whose id is the pid). NaN where there is
 * no procfs.
 */
export function processCpuMs(pid: number, thread?: number): number {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    return (statTicks(stat) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

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
      if (!exclude.test(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) ticks += statTicks(stat);
    }
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** utime + stime (clock ticks) of a `/proc/.../stat` line. */
function statTicks(stat: string): number {
  // Field 2 (comm) may contain spaces: count fields after its closing parenthesis. utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** This process's own CPU time so far (ms). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU time of several named processes, sampled before and after a phase. */
export class CpuMeter {
  private readonly start = new Map<string, number>();

  constructor(private readonly sources: ReadonlyMap<string, () => number>) {}

  begin(): void {
    for (const [name, read] of this.sources) this.start.set(name, read());
  }

  /** CPU ms each source used since `begin()`. */
  end(): Record<string, number> {
    const used: Record<string, number> = {};
    for (const [name, read] of this.sources) used[name] = read() - (this.start.get(name) ?? Number.NaN);
    return used;
  }
}
