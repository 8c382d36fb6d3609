import { type Finding, finding } from './finding';

const CHECK = 'topics';
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Topic names (first word of each line) from deploy/base/kafka/topics.txt; comments and blanks skipped. */
export function parseTopicList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/\s+/)[0]);
}

/** Topic names declared in the contracts lib: string constants named `*_TOPIC`. */
export function parseContractTopics(source: string): string[] {
  return [...source.matchAll(/\b[A-Z0-9_]*TOPIC\s*(?::\s*[^=]+)?=\s*['"`]([^'"`]+)['"`]/g)].map((m) => m[1]);
}

/**
 * The topic list the kafka-topics Job creates is well-formed (valid names, no duplicates, key=value
 * configs) and contains every topic the contracts lib declares.
 */
export function checkTopics(listText: string, contractTopics: readonly string[]): Finding[] {
  const out: Finding[] = [];
  const subject = 'deploy/base/kafka/topics.txt';
  const seen = new Set<string>();
  for (const line of listText.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [topic, ...configs] = line.split(/\s+/) as [string, ...string[]];
    if (!KAFKA_TOPIC.test(topic)) out.push(finding(CHECK, subject, `"${topic}" is not a valid Kafka topic name`));
    if (seen.has(topic)) out.push(finding(CHECK, subject, `${topic} is listed twice`));
    seen.add(topic);
    for (const config of configs) {
      if (!/^[a-z0-9.]+=\S+$/.test(config)) out.push(finding(CHECK, subject, `${topic}: "${config}" is not a key=value topic config`));
    }
  }
  for (const topic of contractTopics) {
    if (!seen.has(topic)) out.push(finding(CHECK, subject, `${topic} is declared in libs/contracts but missing from the list`));
  }
  return out;
}
