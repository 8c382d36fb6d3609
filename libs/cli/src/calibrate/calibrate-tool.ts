import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { type CliIo } from '../output/output';

/** The calibration tool (`npm run calibrate`), relative to the package root. */
export const CALIBRATE_SCRIPT = join('tools', 'semantic-calibrate', 'run.js');

/**
 * The package root that holds the calibration tool: the first directory above `from` with
 * `tools/semantic-calibrate/run.js` (the CLI runs from `libs/cli/src` under jest and from `dist/libs/cli/src` once built).
 */
export function locateCalibrateScript(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const script = join(dir, CALIBRATE_SCRIPT);
    if (existsSync(script)) return script;
    if (dirname(dir) === dir)
      throw new UsageError(
        `calibrate runs ${CALIBRATE_SCRIPT} from a source checkout of Strata, and none was found above ${from}`,
      );
  }
}

/**
 * Runs the calibration tool in a child Node process with `args`, in the caller's directory and environment (it
 * reads EMBEDDING_* itself), copying its output to `io`. Resolves with the tool's exit code (Ctrl-C: 130).
 */
export function runCalibrateTool(script: string, args: readonly string[], io: CliIo): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (text: string) => io.stdout.write(text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => io.stderr.write(text));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal === null ? ExitCode.Failure : ExitCode.Interrupted)));
  });
}
