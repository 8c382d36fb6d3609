import { InvalidArgumentError } from 'commander';

const UNIT_SECONDS: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** `10/s`, `600/m`, `600/min`, `5000/h` or a bare `10` (per second) → requests per second. */
export function parseRate(raw: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*([a-z]+))?\s*$/i.exec(raw);
  const count = Number(match?.[1]);
  const unit = UNIT_SECONDS[(match?.[2] ?? 's').toLowerCase()];
  if (!match || unit === undefined || !(count > 0))
    throw new InvalidArgumentError('expected a rate like 10/s, 600/m or 5000/h.');
  return count / unit;
}

/** Spaces request starts evenly at `perSecond` (no bursts); `take()` resolves when the next one may start. */
export class RateLimiter {
  private readonly intervalMs: number;
  private next = 0;

  constructor(
    perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  async take(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}
