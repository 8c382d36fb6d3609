import { SingleBar } from 'cli-progress';
import { type CliIo } from '../output/output';
import { type WarmSummary } from './warm-runner';

/** Shows a warm's progress on stderr: a bar on a terminal, a line every few seconds otherwise (CI, logs). */
interface WarmProgress {
  update(summary: Readonly<WarmSummary>): void;
  stop(summary: Readonly<WarmSummary>): void;
}

function counts(s: Readonly<WarmSummary>): string {
  return `hits ${s.hits}, stored ${s.misses}, bypassed ${s.bypassed}, errors ${s.errors}`;
}

class BarProgress implements WarmProgress {
  private readonly bar: SingleBar;

  constructor(io: CliIo, total: number, skipped: number) {
    this.bar = new SingleBar({
      stream: io.stderr as NodeJS.WritableStream,
      format: 'warm [{bar}] {value}/{total} | {counts} | {rate}/s | eta {eta_formatted}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    });
    this.bar.start(total, skipped, { counts: '', rate: '0.0' });
  }

  update(s: Readonly<WarmSummary>): void {
    const sent = s.done + s.errors;
    this.bar.update(s.skipped + sent, {
      counts: counts(s),
      rate: s.seconds > 0 ? (sent / s.seconds).toFixed(1) : '0.0',
    });
  }

  stop(s: Readonly<WarmSummary>): void {
    this.update(s);
    this.bar.stop();
  }
}

class LineProgress implements WarmProgress {
  private lastAt = 0;

  constructor(
    private readonly io: CliIo,
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {
    this.lastAt = now();
  }

  update(s: Readonly<WarmSummary>): void {
    if (this.now() - this.lastAt < this.everyMs) return;
    this.lastAt = this.now();
    this.write(s);
  }

  stop(s: Readonly<WarmSummary>): void {
    this.write(s);
  }

  private write(s: Readonly<WarmSummary>): void {
    const sent = s.done + s.errors;
    const rate = s.seconds > 0 ? (sent / s.seconds).toFixed(1) : '0.0';
    this.io.stderr.write(`warm: ${s.skipped + sent}/${s.total} (${counts(s)}) ${rate}/s\n`);
  }
}

export function warmProgress(
  io: CliIo,
  total: number,
  skipped: number,
  everyMs = 5_000,
  now: () => number = Date.now,
): WarmProgress {
  return io.stderr.isTTY === true ? new BarProgress(io, total, skipped) : new LineProgress(io, everyMs, now);
}
