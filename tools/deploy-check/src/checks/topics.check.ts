import { type Finding, finding } from './finding';

const CHECK = 'topics';
const SUBJECT = 'deploy/base/kafka/topics.txt';
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** The data-change topic your systems publish to (consumed by the invalidation service). */
export const DATA_CHANGES_TOPIC = 'strata.data-changes.v1';

/** Topic names (first word of each line) from deploy/base/kafka/topics.txt; comments and blanks skipped. */
export function parseTopicList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/\s+/)[0]);
}

/**
 * The topic list the kafka-topics Job creates is well-formed (valid names, no duplicates, key=value
 * configs) and has every topic the services use (`required`, from libs/contracts). Topics the services no
 * longer use are warnings.
 */
export function checkTopics(listText: string, required: readonly string[]): { errors: Finding[]; warnings: Finding[] } {
  const errors: Finding[] = [];
  const seen = new Set<string>();
  for (const line of listText.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [topic, ...configs] = line.split(/\s+/) as [string, ...string[]];
    if (!KAFKA_TOPIC.test(topic)) errors.push(finding(CHECK, SUBJECT, `"${topic}" is not a valid Kafka topic name`));
    if (seen.has(topic)) errors.push(finding(CHECK, SUBJECT, `${topic} is listed twice`));
    seen.add(topic);
    for (const config of configs) {
      if (!/^[a-z0-9.]+=\S+$/.test(config))
        errors.push(finding(CHECK, SUBJECT, `${topic}: "${config}" is not a key=value topic config`));
    }
  }
  const wanted = new Set(required);
  for (const topic of wanted) {
    if (!seen.has(topic))
      errors.push(
        finding(CHECK, SUBJECT, `${topic} is used by the services (libs/contracts) but missing from the list`),
      );
  }
  const warnings = [...seen]
    .filter((t) => !wanted.has(t))
    .map((t) => finding(CHECK, SUBJECT, `${t} is not used by the services (libs/contracts)`));
  return { errors, warnings };
}
