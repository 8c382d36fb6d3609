import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';

const MAIN = join(__dirname, '..', 'src', 'main.ts');
const READY = /^kafka-test-broker listening on (\S+)$/;

/** Runs the CLI as its own OS process (TypeScript through ts-node, types not checked) and waits for its ready line. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; brokers: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', MAIN, ...args], {
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for await (const line of createInterface({ input: child.stdout })) {
    const ready = READY.exec(String(line));
    if (ready) return { child, brokers: ready[1] };
  }
  throw new Error('kafka-test-broker exited before it was ready');
}

describe('kafka-test-broker CLI', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves kafkajs as a separate process and exits cleanly on SIGTERM', async () => {
    const started = await startCli(['--port', '0', '--default-partitions', '3']);
    child = started.child;
    const admin = new Kafka({ brokers: [started.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const producer = new Kafka({ brokers: [started.brokers], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();

    await producer.send({ topic: 'cli.auto-created', messages: [{ value: 'hello' }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ['cli.auto-created'] });
    await producer.disconnect();
    await admin.disconnect();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');

    expect(topics[0]?.partitions).toHaveLength(3);
    await expect(exited).resolves.toEqual([0, null]);
  }, 30_000);
});
