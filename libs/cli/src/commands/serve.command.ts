import { Command } from 'commander';
import { type CommandContext, act } from '../command-context';

/** `strata serve`: the embedded server, exactly what `npm start` runs. */
export function serveCommand(context: CommandContext): Command {
  const command = new Command('serve')
    .description('Start Strata (the embedded default: every service in this process, as `npm start` does)')
    .addHelpText(
      'after',
      `
Configured by environment variables, as the services are (docs/configuration.md), e.g.:
  PORT=8080 UPSTREAM_URL=https://api.openai.com/v1 strata serve
  REDIS_URL=redis://127.0.0.1:6379 strata serve
Stops (draining) on SIGTERM or Ctrl-C.`,
    );
  return act(command, context, () => {
    context.deps.serve();
    return Promise.resolve(undefined);
  });
}
