import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '../../../deploy/base/kafka/kafka-ready.sh');

/** deploy/base/kafka/kafka-ready.sh (the brokers' readiness probe) against stand-ins for the Kafka CLI tools. */
describe('kafka-ready.sh', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kafka-ready-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const probe = (brokers: string, underReplicated: string, pod = 'kafka-1') => {
    const stub = (name: string, output: string) => {
      const file = join(dir, name);
      writeFileSync(file, `#!/bin/bash\ncat <<'OUT'\n${output}\nOUT\n`);
      chmodSync(file, 0o755);
    };
    stub('kafka-broker-api-versions.sh', brokers);
    stub('kafka-topics.sh', underReplicated);
    const run = spawnSync('bash', [SCRIPT], {
      env: { PATH: process.env.PATH, KAFKA_BIN: dir, POD_NAME: pod },
      encoding: 'utf8',
    });
    return { ready: run.status === 0, says: run.stdout.trim() };
  };
  const registered =
    'kafka-0.kafka-headless.strata.svc:9092 (id: 0 rack: null) -> (\n  Produce(0): 0 to 11\n)\nkafka-1.kafka-headless.strata.svc:9092 (id: 1 rack: null) -> (\n)';

  it('is ready when registered and in the ISR of all its partitions', () => {
    const others = 'Topic: a\tPartition: 0\tLeader: 0\tReplicas: 0,2\tIsr: 0';
    expect(probe(registered, others)).toEqual({ ready: true, says: '' });
  });

  it('is not ready until the broker is registered', () => {
    expect(probe(registered.replace(/\n.*id: 1 .*/, ''), '')).toEqual({
      ready: false,
      says: 'broker 1 is not registered with the cluster yet',
    });
  });

  it('is not ready while it is a replica outside the ISR (catching up after a restart)', () => {
    const behind =
      'Topic: a\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,2\tElr: \nTopic: b\tPartition: 3\tLeader: 2\tReplicas: 2,11\tIsr: 2';
    expect(probe(registered, behind)).toEqual({
      ready: false,
      says: 'broker 1 is not in the ISR of 1 of its partitions yet',
    });
  });
});
