import { SingleBar } from 'cli-progress';
import { type CliIo } from '../output/output';

/** Progress of an export or import on stderr: a bar on a terminal, a line every few seconds otherwise. */
export interface TransferProgress {
  update(done: number, detail: string): void;
  stop(done: number, detail: string): void;
}

class BarProgress implements TransferProgress {
  private readonly bar: SingleBar;

  constructor(io: CliIo, label: string, total: number, start: number) {
    this.bar = new SingleBar({
      stream: io.stderr as NodeJS.WritableStream,
      format: `${label} [{bar}] {value}/{total} | {detail} | eta {eta_formatted}`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
    });
    this.bar.start(Math.max(total, start), start, { detail: '' });
  }

  update(done: number, detail: string): void {
    // An export's total is an estimate (entries come and go meanwhile): the bar grows when it is passed.
    if (done > this.bar.getTotal()) this.bar.setTotal(done);
    this.bar.update(done, { detail });
  }

  stop(done: number, detail: string): void {
    this.update(done, detail);
    this.bar.stop();
  }
}

class LineProgress implements TransferProgress {
  private lastAt: number;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    private readonly total: number,
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {
    this.lastAt = now();
  }

  update(done: number, detail: string): void {
    if (this.now() - this.lastAt < this.everyMs) return;
    this.lastAt = this.now();
    this.write(done, detail);
  }

  stop(done: number, detail: string): void {
    this.write(done, detail);
  }

  private write(done: number, detail: string): void {
    this.io.stderr.write(`${this.label}: ${done}/${Math.max(done, this.total)} (${detail})\n`);
  }
}

export function transferProgress(
  io: CliIo,
  label: string,
  total: number,
  start: number,
  everyMs = 5_000,
  now: () => number = Date.now,
): TransferProgress {
  return io.stderr.isTTY === true
    ? new BarProgress(io, label, total, start)
    : new LineProgress(io, label, total, everyMs, now);
}
