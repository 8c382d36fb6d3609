/** The gateway: in the embedded default (what `npm start` runs) it also starts the other three services in this process. */
import 'reflect-metadata';
import { runService } from '@strata/runtime';
import { GATEWAY_USAGE } from './usage';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(GATEWAY_USAGE);
  process.exit(0);
} else if (args.length > 0) {
  process.stderr.write(`unknown argument: ${args[0]}\n\n${GATEWAY_USAGE}`);
  process.exit(2);
} else {
  runService('gateway');
}
