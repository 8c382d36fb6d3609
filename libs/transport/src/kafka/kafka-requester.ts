import { randomBytes } from 'node:crypto';
import { type ClientKafka, KafkaReplyPartitionAssigner } from '@nestjs/microservices';
import { type CallOptions, ErrorCode, type RequestContext, StrataError, replyTopic } from '@strata/contracts';
import { CORRELATION_HEADER, Tracing } from '@strata/observability';
import { type Consumer, type IHeaders, Kafka, type KafkaConfig, type KafkaMessage, type Producer } from 'kafkajs';
import { AwaitedReplies } from './awaited-replies';
import { CoalescingProducer } from './coalescing-producer';
import { FETCH_MAX_WAIT_MS } from './kafka-client-config';
import { type KafkaMessaging } from './kafka-messaging';
import { PeriodicCommits } from './periodic-commits';
import { requestHeaders } from '../request-context';

/** The headers NestJS' Kafka server (`StrataServerKafka`) reads from a request and writes on its reply. */
const CORRELATION_ID = 'kafka_correlationId';
const REPLY_TOPIC = 'kafka_replyTopic';
const REPLY_PARTITION = 'kafka_replyPartition';
const ERROR = 'kafka_nest-err';
/** How long connecting waits for the reply consumer's first group join. */
const JOIN_WAIT_MS = 30_000;
/** How often the reply consumers commit their offsets (nobody waits for an old reply). */
const COMMIT_EVERY_MS = 5_000;

interface Pending {
  readonly topic: string;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: StrataError) => void;
  readonly timer: NodeJS.Timeout;
  /** Its lane's requests on their way, once the broker has taken this one (then `sent`). */
  readonly lane: AwaitedReplies | undefined;
  sent: boolean;
}

/** One reply consumer: the replies of `requestTopics`, in group `groupId` (each replica gets its own reply partitions). */
interface ReplyLane {
  readonly groupId: string;
  readonly requestTopics: readonly string[];
}

interface KafkaRequesterOptions {
  readonly client: KafkaConfig;
  readonly consumer: { readonly sessionTimeoutMs: number; readonly heartbeatIntervalMs: number };
  /**
   * The reply consumers. A hot request topic gets a lane of its own: kafkajs has no fetch sessions, so every
   * fetch lists every partition of every topic its consumer subscribes to, and a lookup's reply must not wait on
   * a fetch of all the other reply topics' partitions.
   */
  readonly lanes: readonly ReplyLane[];
}

/**
 * Request-reply and events straight on kafkajs, speaking the wire format of NestJS' Kafka transport (its server
 * answers these requests): what a raw kafkajs request-reply pays, and no more. Against `ClientKafka` it drops
 * the rxjs pipeline, the serializer/parser layers that copy every header into strings, and — the one that costs
 * a round trip — the offset commit after every reply batch: a reply is of use only to the request waiting for
 * it, so its offset is committed every few seconds ({@link PeriodicCommits}; a restarted replica starts from the
 * latest reply anyway: nothing waits for an old one). The reply consumer's group and partition assignor are
 * NestJS' own, so replicas of either kind can share a group during a rolling upgrade. A reply lane fetches again
 * only while a request of it is on its way ({@link AwaitedReplies}): its next Fetch is written while the peer works,
 * not when the caller's next request comes in.
 */
export class KafkaRequester implements KafkaMessaging {
  private readonly pending = new Map<string, Pending>();
  /** The lowest reply partition of each reply topic assigned to this replica (where its replies go). */
  private assignments: Record<string, number> = {};
  private readonly idPrefix = randomBytes(6).toString('hex');
  private sequence = 0;
  private producer: Producer | undefined;
  /** The requests, in as few Produce requests as concurrency allows (one in flight, the rest sent together after it). */
  private outbox: CoalescingProducer | undefined;
  private readonly consumers: { readonly consumer: Consumer; readonly commits: PeriodicCommits }[] = [];
  /** The requests on their way of each lane, by the lane's request topics. */
  private readonly lanes = new Map<string, AwaitedReplies>();
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly options: KafkaRequesterOptions,
    /** The kafkajs client its producer and reply consumers come from (one on `options.client` by default). */
    private readonly kafka: Pick<Kafka, 'producer' | 'consumer'> = new Kafka(options.client),
  ) {
    for (const lane of options.lanes) {
      // No longer than a heartbeat interval: kafkajs heartbeats between batches.
      const awaited = new AwaitedReplies(Math.min(FETCH_MAX_WAIT_MS, options.consumer.heartbeatIntervalMs));
      for (const topic of lane.requestTopics) this.lanes.set(topic, awaited);
    }
  }

  connect(): Promise<void> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  async request(topic: string, data: unknown, { timeoutMs, requestId }: CallOptions, key?: string): Promise<unknown> {
    await this.connect();
    const reply = replyTopic(topic);
    const partition = this.assignments[reply];
    if (partition === undefined)
      throw new StrataError(
        ErrorCode.CacheUnavailable,
        `"${topic}" failed: no partition of ${reply} is assigned to this replica yet`,
      );
    const id = `${this.idPrefix}-${(this.sequence++).toString(36)}`;
    const headers: IHeaders = { [CORRELATION_ID]: id, [REPLY_TOPIC]: reply, [REPLY_PARTITION]: String(partition) };
    if (requestId !== undefined) headers[CORRELATION_HEADER] = requestId;
    Tracing.inject(headers);
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id)?.reject(
          new StrataError(ErrorCode.CacheUnavailable, `"${topic}" got no reply within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, { topic, resolve, reject, timer, lane: this.lanes.get(topic), sent: false });
    });
    this.outbox!.send(topic, { key: key ?? null, value: JSON.stringify(data), headers }).then(
      () => {
        // Unless its reply came first (the Produce response and the reply's Fetch response race).
        const pending = this.pending.get(id);
        if (pending === undefined) return;
        pending.sent = true;
        pending.lane?.sent();
      },
      (error: unknown) => {
        this.settle(id)?.reject(
          new StrataError(
            ErrorCode.CacheUnavailable,
            `"${topic}" failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      },
    );
    return answer;
  }

  async emit(topic: string, data: unknown, key?: string, context: RequestContext = {}): Promise<void> {
    await this.connect();
    const headers = requestHeaders(context);
    Tracing.inject(headers);
    await this.producer!.send({
      topic,
      messages: [
        { key: key ?? null, value: JSON.stringify(data), ...(Object.keys(headers).length === 0 ? {} : { headers }) },
      ],
    });
  }

  async close(): Promise<void> {
    for (const lane of new Set(this.lanes.values())) lane.close();
    for (const [id] of this.pending)
      this.settle(id)?.reject(new StrataError(ErrorCode.CacheUnavailable, 'the Kafka client is closing'));
    const opened = this.connecting;
    this.connecting = undefined;
    if (!opened) return;
    await opened.catch(() => undefined);
    await Promise.allSettled([
      ...this.consumers.splice(0).map(async ({ consumer, commits }) => {
        await commits.stop();
        await consumer.disconnect();
      }),
      this.producer?.disconnect(),
    ]);
  }

  private async open(): Promise<void> {
    for (const lane of new Set(this.lanes.values())) lane.open();
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 100 },
    });
    await this.producer.connect();
    this.outbox = new CoalescingProducer(this.producer);
    await Promise.all(
      this.options.lanes.filter((lane) => lane.requestTopics.length > 0).map((lane) => this.openLane(lane)),
    );
  }

  private async openLane(lane: ReplyLane): Promise<void> {
    const awaited = this.lanes.get(lane.requestTopics[0])!;
    let own: Record<string, number> = {};
    const consumer = this.kafka.consumer({
      groupId: lane.groupId,
      sessionTimeout: this.options.consumer.sessionTimeoutMs,
      heartbeatInterval: this.options.consumer.heartbeatIntervalMs,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      // NestJS' reply assignor (it only asks for the partitions this member had): one group protocol with `ClientKafka`.
      partitionAssigners: [
        (config) =>
          new KafkaReplyPartitionAssigner({ getConsumerAssignments: () => own } as unknown as ClientKafka, config),
      ],
    });
    const commits = new PeriodicCommits(consumer, COMMIT_EVERY_MS, () => undefined); // the next commit covers it
    this.consumers.push({ consumer, commits });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      own = {};
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        if (partitions.length > 0) own[topic] = Math.min(...partitions);
      }
      this.assignments = { ...this.assignments, ...own };
    });
    await consumer.connect();
    await consumer.subscribe({ topics: lane.requestTopics.map(replyTopic) });
    let timer: NodeJS.Timeout | undefined;
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      // Requests before the first join fail fast (no reply partition yet) rather than waiting on a group forever.
      timer = setTimeout(resolve, JOIN_WAIT_MS);
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) this.onReply(message);
        commits.handledUpTo(batch.topic, batch.partition, batch.lastOffset());
        // The callers of these replies run first (a gateway writes its HTTP answer), then kafkajs its next Fetch —
        // once a request of the lane is on its way: with none, that Fetch would be written when the next one comes in.
        await new Promise((resolve) => setImmediate(resolve));
        await awaited.whileNone();
      },
    });
    await joined.finally(() => clearTimeout(timer));
  }

  private onReply(message: KafkaMessage): void {
    const id = message.headers?.[CORRELATION_ID]?.toString();
    if (id === undefined) return;
    const pending = this.settle(id);
    if (!pending) return;
    const error = message.headers?.[ERROR];
    if (error !== undefined) {
      pending.reject(peerError(pending.topic, error.toString()));
      return;
    }
    const value = message.value;
    try {
      pending.resolve(value === null || value.length === 0 ? undefined : JSON.parse(value.toString()));
    } catch {
      pending.reject(new StrataError(ErrorCode.InvalidReply, `the reply to ${pending.topic} is not JSON`));
    }
  }

  private settle(id: string): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (pending.sent) pending.lane?.settled();
    return pending;
  }
}

/** The peer's `{code, message}` (see `StrataRpcExceptionFilter`); anything else (no handler there) is `cache_unavailable`. */
function peerError(topic: string, text: string): StrataError {
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // NestJS' own errors are plain strings.
  }
  return (
    StrataError.fromPayload(parsed) ??
    new StrataError(ErrorCode.CacheUnavailable, `"${topic}" failed: ${typeof parsed === 'string' ? parsed : text}`)
  );
}
