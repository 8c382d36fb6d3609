import { ExitCode } from '../exit-codes';
import { type Output } from '../output/output';

/**
 * Ctrl-C / SIGTERM during an export or import: the first stops after the page or batch in flight (its progress
 * is saved), a second quits at once. Runs `work` with a `stopped()` probe and removes the handlers after it.
 */
export async function untilStopped<T>(output: Output, work: (stopped: () => boolean) => Promise<T>): Promise<T> {
  let stops = 0;
  const onSignal = () => {
    stops++;
    if (stops > 1) process.exit(ExitCode.Interrupted);
    output.note('stopping after the current batch (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(() => stops > 0);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
