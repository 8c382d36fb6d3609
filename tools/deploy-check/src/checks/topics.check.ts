import { type TopicSettings } from '@strata/contracts';
import { type Finding, finding } from './finding';

const CHECK = 'topics';
const SUBJECT = 'deploy/base/kafka/topics.txt';
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

const HEADER = `# GENERATED from topicTable() in libs/contracts/src/topic-settings.ts — do not edit by hand:
#   npm run build && node dist/tools/deploy-check/src/main.js topics > deploy/base/kafka/topics.txt
# deploy-check fails when this file and the table differ. The services create a missing topic with the
# same settings; the kafka-topics Job creates missing topics and alters existing ones to these settings.
# Partitions and replication come from KAFKA_TOPIC_PARTITIONS / KAFKA_REPLICATION_FACTOR (strata-config).
# Format: <topic> <config>=<value> ...`;

/** deploy/base/kafka/topics.txt as generated from the topic table. */
export function renderTopicList(table: readonly TopicSettings[]): string {
  const lines = table.map(({ topic, configs }) =>
    [topic, ...Object.entries(configs).map(([k, v]) => `${k}=${v}`)].join(' '),
  );
  return `${HEADER}\n${lines.join('\n')}\n`;
}

/** Topic names (first word of each line) from deploy/base/kafka/topics.txt; comments and blanks skipped. */
export function parseTopicList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/\s+/)[0]);
}

/**
 * The topic list the kafka-topics Job applies is well-formed (valid names, no duplicates, key=value
 * configs) and says exactly what the table in libs/contracts says: every topic the services use, with the
 * same configs. Topics the services no longer use are warnings.
 */
export function checkTopics(
  listText: string,
  table: readonly TopicSettings[],
): { errors: Finding[]; warnings: Finding[] } {
  const errors: Finding[] = [];
  const listed = new Map<string, Record<string, string>>();
  for (const line of listText.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [topic, ...configs] = line.split(/\s+/) as [string, ...string[]];
    if (!KAFKA_TOPIC.test(topic)) errors.push(finding(CHECK, SUBJECT, `"${topic}" is not a valid Kafka topic name`));
    if (listed.has(topic)) errors.push(finding(CHECK, SUBJECT, `${topic} is listed twice`));
    const parsed: Record<string, string> = {};
    for (const config of configs) {
      const m = /^([a-z0-9.]+)=(\S+)$/.exec(config);
      if (!m) errors.push(finding(CHECK, SUBJECT, `${topic}: "${config}" is not a key=value topic config`));
      else parsed[m[1]] = m[2];
    }
    listed.set(topic, parsed);
  }
  const wanted = new Map(table.map((t) => [t.topic, t.configs]));
  for (const [topic, configs] of wanted) {
    const have = listed.get(topic);
    if (!have) {
      errors.push(
        finding(CHECK, SUBJECT, `${topic} is used by the services (libs/contracts) but missing from the list`),
      );
      continue;
    }
    for (const key of new Set([...Object.keys(configs), ...Object.keys(have)])) {
      if (configs[key] !== have[key])
        errors.push(
          finding(
            CHECK,
            SUBJECT,
            `${topic}: ${key} is ${have[key] ?? '(unset)'} here but ${configs[key] ?? '(unset)'} in the topic table (libs/contracts/src/topic-settings.ts)`,
          ),
        );
    }
  }
  const warnings = [...listed.keys()]
    .filter((t) => !wanted.has(t))
    .map((t) => finding(CHECK, SUBJECT, `${t} is not used by the services (libs/contracts)`));
  return { errors, warnings };
}
