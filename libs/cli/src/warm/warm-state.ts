import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { UsageError } from '../errors';

const HEADER = '# strata warm: ids of the queries done; rerun the same warm to skip them\n';

/**
 * Resume state of a warm: an append-only file of the ids of the queries done (one per line, written as
 * each finishes, so even a killed run keeps them). A rerun skips those ids. A run that finishes every query
 * removes the file: the next warm starts over.
 */
export class WarmState {
  private constructor(
    readonly path: string,
    private readonly done: Set<string>,
    private fd: number | undefined,
  ) {}

  /** Opens (or creates) the state at `path`; `restart` forgets what it held. */
  static open(path: string, restart: boolean): WarmState {
    const done = new Set<string>();
    if (!restart && existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      // The last line may be cut short by a crash: only complete lines count.
      lines.pop();
      for (const line of lines) if (line !== '' && !line.startsWith('#')) done.add(line);
    }
    const fresh = restart || !existsSync(path);
    let fd: number;
    try {
      fd = openSync(path, fresh ? 'w' : 'a');
      if (fresh) writeSync(fd, HEADER);
    } catch (error) {
      throw new UsageError(`--state: cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new WarmState(path, done, fd);
  }

  get size(): number {
    return this.done.size;
  }

  has(id: string): boolean {
    return this.done.has(id);
  }

  markDone(id: string): void {
    if (this.done.has(id)) return;
    this.done.add(id);
    if (this.fd !== undefined) writeSync(this.fd, `${id}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes and deletes the file (every query is done). */
  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
  }
}
