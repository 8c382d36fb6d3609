import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors';

/**
 * Where an export or import stands, in a small JSON file beside its data file, replaced atomically (write, then
 * rename) after each page or batch: a rerun after Ctrl-C or a crash resumes from it; a finished run deletes it.
 */
export class TransferState<T extends object> {
  constructor(readonly path: string) {}

  read(restart: boolean): T | undefined {
    if (restart || !existsSync(this.path)) return undefined;
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as T;
    } catch (error) {
      throw new UsageError(
        `cannot read the resume state ${this.path} (${error instanceof Error ? error.message : String(error)}); rerun with --restart`,
      );
    }
  }

  save(state: T): void {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state)}\n`);
    renameSync(temporary, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
