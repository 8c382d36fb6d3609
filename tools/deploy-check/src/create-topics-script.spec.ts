import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '../../../deploy/base/kafka/create-topics.sh');

/**
 * deploy/base/kafka/create-topics.sh (the kafka-topics Job) against stand-ins for the Kafka CLI tools that
 * record how they were called: a cluster where a service already created one topic without settings
 * and with fewer partitions, and another topic is missing.
 */
describe('create-topics.sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'create-topics-'));
    const stub = (name: string, body: string) => {
      const file = join(dir, name);
      writeFileSync(file, `#!/bin/bash\necho "${name} $*" >> "${dir}/calls"\n${body}\n`);
      chmodSync(file, 0o755);
    };
    stub('kafka-broker-api-versions.sh', 'exit 0');
    stub(
      'kafka-topics.sh',
      `case " $* " in *" --describe "*) printf 'Topic: strata.cache.lookup.v1.reply\\tTopicId: x\\tPartitionCount: 3\\tReplicationFactor: 1\\tConfigs: \\n\\tTopic: strata.cache.lookup.v1.reply\\tPartition: 0\\tLeader: 0\\n' ;; esac`,
    );
    stub('kafka-configs.sh', 'exit 0');
    writeFileSync(
      join(dir, 'topics.txt'),
      '# comment\nstrata.cache.lookup.v1.reply cleanup.policy=delete retention.ms=3600000 segment.ms=600000\nstrata.data-changes.v1 cleanup.policy=delete retention.ms=604800000\n',
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = () => {
    execFileSync('bash', [SCRIPT], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BIN: dir,
        TOPICS_FILE: join(dir, 'topics.txt'),
        TMPDIR: dir,
        KAFKA_BROKERS: 'kafka:9092',
        KAFKA_TOPIC_PARTITIONS: '6',
        KAFKA_REPLICATION_FACTOR: '3',
      },
      stdio: 'pipe',
    });
    return readFileSync(join(dir, 'calls'), 'utf8')
      .replaceAll(` --bootstrap-server kafka:9092 --command-config ${dir}/client.properties`, '')
      .trim()
      .split('\n');
  };

  it('alters an existing topic to the settings and partitions of the table, and creates a missing one with them', () => {
    expect(run()).toEqual([
      'kafka-broker-api-versions.sh',
      'kafka-topics.sh --describe --exclude-internal',
      'kafka-topics.sh --alter --topic strata.cache.lookup.v1.reply --partitions 6',
      'kafka-configs.sh --alter --entity-type topics --entity-name strata.cache.lookup.v1.reply --add-config cleanup.policy=delete,retention.ms=3600000,segment.ms=600000',
      'kafka-topics.sh --create --if-not-exists --topic strata.data-changes.v1 --partitions 6 --replication-factor 3 --config cleanup.policy=delete --config retention.ms=604800000',
      'kafka-configs.sh --alter --entity-type topics --entity-name strata.data-changes.v1 --add-config cleanup.policy=delete,retention.ms=604800000',
    ]);
  });
});
