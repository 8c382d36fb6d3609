import { parseArgs } from 'node:util';
import { type BrokerLogger, type BrokerLogLevel } from './broker-logger';
import { KafkaTestBroker } from './kafka-test-broker';

const USAGE = `Usage: kafka-test-broker [--port N] [--host H] [--advertised-host H] [--default-partitions N]
                         [--node-id N] [--no-auto-create-topics] [--verbose]
Environment: KAFKA_TEST_BROKER_PORT, KAFKA_TEST_BROKER_HOST (flags win). Port 0 picks a free port.
Prints "kafka-test-broker listening on HOST:PORT" on stdout when ready; stops on SIGTERM or SIGINT.`;

/** CLI entry: runs the test broker as its own OS process (end-to-end tests, benchmarks). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'advertised-host': { type: 'string' },
      'default-partitions': { type: 'string' },
      'node-id': { type: 'string' },
      'no-auto-create-topics': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const quietLevels: readonly BrokerLogLevel[] = values.verbose ? [] : ['debug', 'info'];
  const logger: BrokerLogger = (level, message) => {
    if (!quietLevels.includes(level)) process.stderr.write(`[kafka-test-broker] ${level} ${message}\n`);
  };
  const broker = await KafkaTestBroker.start({
    port: integer('port', values.port ?? process.env['KAFKA_TEST_BROKER_PORT'] ?? '0'),
    host: values.host ?? process.env['KAFKA_TEST_BROKER_HOST'] ?? '127.0.0.1',
    advertisedHost: values['advertised-host'],
    defaultPartitions:
      values['default-partitions'] === undefined
        ? undefined
        : integer('default-partitions', values['default-partitions']),
    nodeId: values['node-id'] === undefined ? undefined : integer('node-id', values['node-id']),
    autoCreateTopics: !values['no-auto-create-topics'],
    logger,
  });
  process.stdout.write(`kafka-test-broker listening on ${broker.brokers}\n`);

  const stop = (signal: NodeJS.Signals) => {
    logger('info', `${signal} received, stopping`);
    broker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger('error', `stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function integer(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new RangeError(`--${name} must be an integer, got "${text}"`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[kafka-test-broker] error ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
  );
  process.exit(1);
});
