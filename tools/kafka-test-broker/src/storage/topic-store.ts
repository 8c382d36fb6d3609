import { PartitionLog } from './partition-log';

export class Topic {
  readonly partitions: PartitionLog[];

  constructor(
    readonly name: string,
    partitionCount: number,
  ) {
    this.partitions = Array.from({ length: partitionCount }, () => new PartitionLog());
  }

  partition(index: number): PartitionLog | undefined {
    return this.partitions[index];
  }
}

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic name rule (kafka.common.Topic.validate); returns why a name is illegal, or null. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!LEGAL_TOPIC_NAME.test(name))
    return `topic name "${name}" contains characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/** All topics of the broker, by name. */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  has(name: string): boolean {
    return this.topics.has(name);
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  /** Creates a topic; the caller has checked the name and that it does not exist yet. */
  create(name: string, partitionCount: number): Topic {
    const topic = new Topic(name, partitionCount);
    this.topics.set(name, topic);
    return topic;
  }

  delete(name: string): boolean {
    const topic = this.topics.get(name);
    if (!topic) return false;
    this.topics.delete(name);
    for (const log of topic.partitions) log.close();
    return true;
  }

  /** Grows a topic to `totalCount` partitions (CreatePartitions); the caller has checked it only grows. */
  addPartitions(topic: Topic, totalCount: number): void {
    while (topic.partitions.length < totalCount) topic.partitions.push(new PartitionLog());
  }
}
