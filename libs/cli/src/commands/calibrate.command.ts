import { Command } from 'commander';
import { locateCalibrateScript, runCalibrateTool } from '../calibrate/calibrate-tool';
import { type CommandContext, act } from '../command-context';
import { type ExitCode } from '../exit-codes';

interface CalibrateOptions {
  readonly pairs?: string[];
  readonly target?: string;
  readonly out?: string;
  readonly svg?: string;
}

/** Repeatable `--pairs`, kept whole (a file name may hold a comma). */
const repeat = (raw: string, previous: string[] | undefined): string[] => [...(previous ?? []), raw];

/** `strata calibrate`: the semantic calibration tool (`npm run calibrate`) with the same options and exit code. */
export function calibrateCommand(context: CommandContext): Command {
  const command = new Command('calibrate')
    .description(
      'Fit the semantic verifier for the configured embedding model on labelled pairs (runs `npm run calibrate`)',
    )
    .option(
      '--pairs <file.jsonl>',
      'labelled pairs, {"text_a","text_b","label"} per line (repeatable; required)',
      repeat,
    )
    .option('--target <rate>', 'the wrong-hit rate to stay under (tool default 0.02)')
    .option('--out <file.json>', 'the calibration file to add the model to (tool default strata-calibration.json)')
    .option('--svg <file.svg>', 'where to write the precision/recall plot (tool default calibration.svg)')
    .addHelpText(
      'after',
      `
Uses the embedding model the services are configured with (EMBEDDING_PROVIDER, EMBEDDING_URL, EMBEDDING_MODEL,
EMBEDDING_API_KEY), prints precision and recall per threshold on the held-out half, and adds the model's
thresholds to the --out file; point STRATA_SEMANTIC_CALIBRATION at it. Needs a source checkout (tools/).
Exit codes: those of the tool — 0 done, 2 bad options or a missing pairs file, 1 anything else.
  strata calibrate --pairs ../shared/data/pairs.jsonl --target 0.01 --out strata-calibration.json`,
    );
  return act(command, context, async (self) => {
    const { pairs = [], target, out, svg } = self.opts<CalibrateOptions>();
    const args = [
      ...pairs.flatMap((file) => ['--pairs', file]),
      ...(target === undefined ? [] : ['--target', target]),
      ...(out === undefined ? [] : ['--out', out]),
      ...(svg === undefined ? [] : ['--svg', svg]),
    ];
    // The tool exits 0, 1 or 2 itself (ExitCode's meanings); any other code (a crash) passes through unchanged.
    return (await runCalibrateTool(locateCalibrateScript(), args, context.deps.io)) as ExitCode;
  });
}
