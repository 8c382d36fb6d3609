import {
  KafkaContext,
  KafkaRetriableException,
  type ReadPacket,
  ServerKafka,
  type WritePacket,
} from '@nestjs/microservices';
import { type KafkaOptions } from '@nestjs/microservices';
import { ErrorCode } from '@strata/contracts';
import { StrataMetrics, Tracing } from '@strata/observability';
import { type EachBatchPayload } from 'kafkajs';
import { LRUCache } from 'lru-cache';
import {
  EMPTY,
  type Observable,
  ReplaySubject,
  type Subscription,
  catchError,
  finalize,
  isObservable,
  lastValueFrom,
  throwError,
} from 'rxjs';
import { type RpcErrorPayload } from '../rpc-exception.filter';
import { CoalescingProducer } from './coalescing-producer';
import { sendToDeadLetter } from './dead-letter';
import { PeriodicCommits } from './periodic-commits';
import { requestContextOf } from '../request-context';

interface StrataServerKafkaOptions {
  /**
   * A message whose handler keeps failing for another reason than an unavailable dependency is
   * dead-lettered after this many attempts, so its partition moves on.
   */
  readonly maxAttempts: number;
  /** How often a long-running handler heartbeats to its group (kafkajs only heartbeats between messages). */
  readonly heartbeatIntervalMs: number;
  /**
   * The handlers' topics this server consumes (default: all of them). A hot topic gets a server of its own, so
   * its fetches list only its own partitions (kafkajs has no fetch sessions: every fetch lists every partition).
   */
  readonly topics?: (topic: string) => boolean;
  /**
   * Request-reply servers only: commit offsets this often ({@link PeriodicCommits}) instead of after every batch
   * (an OffsetCommit round trip per request otherwise). Unset for servers of events, which commit after every batch.
   */
  readonly commitEveryMs?: number;
  /**
   * Request-reply servers only: how many unkeyed requests may be handed to their handlers and not yet answered before
   * a batch waits for one to finish (default {@link MAX_REQUESTS_IN_FLIGHT}).
   */
  readonly maxRequestsInFlight?: number;
}

/** Unkeyed requests a request-reply server lets its handlers work on at once (beyond, its consumer waits). */
const MAX_REQUESTS_IN_FLIGHT = 1_024;

/** The headers of NestJS' Kafka request-reply (`KafkaHeaders`): a request's, then its reply's. */
const CORRELATION_ID = 'kafka_correlationId';
const REPLY_TOPIC = 'kafka_replyTopic';
const REPLY_PARTITION = 'kafka_replyPartition';
const IS_DISPOSED = 'kafka_nest-is-disposed';

type EachMessage = Parameters<ServerKafka['handleMessage']>[0];
/** A consumed message as NestJS' parser hands it on: the value parsed from JSON, headers and key as strings. */
type ParsedMessage = EachMessage['message'] & { value: unknown; headers: Record<string, unknown> };

/** Failures that say "a dependency is away, retry": never counted towards dead-lettering. */
const TRANSIENT: ReadonlySet<string> = new Set([ErrorCode.CacheUnavailable]);

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const { cause, message } = error as { cause?: unknown; message?: unknown };
    if (typeof cause === 'string') return cause;
    if (typeof message === 'string') return message;
  }
  return String(error);
}

/** Where a message sits in its partition: the key of its reply sends. */
function position(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

/**
 * The requests of one partition handed to their handlers and not all answered, in offset order: the partition counts
 * as handled up to the first one still being worked on (`handledUpTo`, called as that point moves).
 */
class PartitionInFlight {
  private readonly pending: { readonly offset: string; done: boolean }[] = [];
  private idle: (() => void)[] = [];

  constructor(private readonly handledUpTo: (offset: string) => void) {}

  /** Tracks the handling of the request at `offset` (the partition's next one). */
  track(offset: string, handling: Promise<unknown>, onFailure: (error: unknown) => void): Promise<void> {
    const entry = { offset, done: false };
    this.pending.push(entry);
    return handling.then(
      () => this.finish(entry),
      (error: unknown) => {
        onFailure(error);
        this.finish(entry);
      },
    );
  }

  private finish(entry: { readonly offset: string; done: boolean }): void {
    entry.done = true;
    let last: string | undefined;
    while (this.pending[0]?.done === true) last = this.pending.shift()!.offset;
    if (last !== undefined) this.handledUpTo(last);
    if (this.pending.length === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Resolves once every request tracked so far has been answered. */
  settled(): Promise<void> {
    return this.pending.length === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}

/**
 * NestJS' Kafka server with Strata's delivery guarantees for events, and replies that go out first:
 *
 * - a request's reply is sent before the message counts as handled (the stock server sends it on the next tick,
 *   after kafkajs has already written its next request — an OffsetCommit or a Fetch — on the requester's
 *   critical path); a reply that cannot be sent is logged, the requester's deadline answers for it;
 *
 * - the handler's effect is awaited before the offset may be committed (at-least-once): the stock
 *   server fires an event handler and lets kafkajs commit whatever happens to it;
 * - a failure is thrown back to kafkajs, which redelivers from the last committed offset with backoff;
 *   an unavailable dependency (`cache_unavailable`) is retried for as long as it lasts — dead-lettering a
 *   data change because Redis blinked would lose the purge;
 * - a malformed message (already dead-lettered by the exception filter) is committed and skipped;
 * - a message that keeps failing otherwise (a poison message) is dead-lettered after `maxAttempts`, so it
 *   cannot stall its partition;
 * - a long handler (a purge of 100 000 entries) keeps heartbeating, so its group does not evict it.
 */
export class StrataServerKafka extends ServerKafka {
  /** Failed attempts per message; bounded (entries of partitions that moved elsewhere age out). */
  private readonly attempts = new LRUCache<string, number>({ max: 10_000 });
  /** Heartbeats of the messages being handled; one timer serves them all (none per message on the hot path). */
  private readonly beating = new Set<() => Promise<void>>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** The reply sends of the messages being handled, by {@link position}. */
  private readonly replies = new Map<string, Promise<unknown>[]>();
  private commits: PeriodicCommits | undefined;
  /** The replies {@link serve} sends: the replies of requests handled at once go out in one Produce request. */
  private outbox: CoalescingProducer | undefined;
  /** A request-reply server's requests being handled, by `topic/partition`; replaced when the group reassigns them. */
  private inFlight = new Map<string, PartitionInFlight>();
  /** Every request handed to its handler and not yet answered (bounded by `maxRequestsInFlight`). */
  private readonly handling = new Set<Promise<void>>();
  /** Batches waiting for a request to be answered, to hand on their next one (at `maxRequestsInFlight`). */
  private readonly waitingForRoom: (() => void)[] = [];

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly strata: StrataServerKafkaOptions,
  ) {
    super(options);
  }

  /**
   * Handles a message within a consumer span (a child of the sender's, from its headers) when tracing is on. The
   * request id the sender put in its headers reaches the handler as a parameter (`@MessageRequestContext()`).
   */
  override async handleMessage(payload: EachMessage): Promise<unknown> {
    const heartbeat = () => payload.heartbeat();
    this.beating.add(heartbeat);
    this.heartbeatTimer ??= setInterval(() => {
      for (const beat of this.beating) beat().catch(() => undefined); // a rebalance in progress: the next fetch rejoins
    }, this.strata.heartbeatIntervalMs).unref();
    const at = position(payload.topic, payload.partition, payload.message.offset);
    const sends: Promise<unknown>[] = [];
    this.replies.set(at, sends);
    try {
      const result: unknown = await Tracing.consume(`${payload.topic} process`, payload.message.headers, () =>
        this.serve(payload),
      );
      await Promise.all(sends);
      return result;
    } finally {
      this.replies.delete(at);
      this.beating.delete(heartbeat);
    }
  }

  /**
   * A request (correlation id and reply topic in its headers) to a request handler is served straight: parsed by
   * NestJS' parser, its handler called with NestJS' `KafkaContext` (the handler is NestJS' own, wrapped in the
   * controller's exception filter: validation, dead-lettering of malformed messages and error payloads stay there),
   * and a value it resolves to produced at once as the one reply, with NestJS' reply headers. What the stock
   * pipeline adds per request — the deserializer, an rxjs stream and a replay subject around one value, the
   * publisher's serializer, header and partition helpers — is left out. Events, requests without a handler or with
   * a null value, and handlers that answer with a stream or an error (an Observable) take the stock path.
   */
  private async serve(payload: EachMessage): Promise<unknown> {
    const { topic, partition, message } = payload;
    const handler = this.messageHandlers.get(topic);
    const correlationId = message.headers?.[CORRELATION_ID];
    const replyTopic = message.headers?.[REPLY_TOPIC];
    if (!handler || handler.isEventHandler || !correlationId || !replyTopic || message.value === null)
      return super.handleMessage(payload);
    const raw = this.parser!.parse<ParsedMessage>(Object.assign(message, { topic, partition }));
    const context = new KafkaContext([
      raw as never,
      partition,
      topic,
      this.consumer!,
      () => payload.heartbeat(),
      this.producer!,
    ] as unknown as ConstructorParameters<typeof KafkaContext>[0]);
    const [id, to, replyPartition] = [String(correlationId), String(replyTopic), raw.headers[REPLY_PARTITION]];
    return this.onProcessingStartHook(this.transportId, context, async () => {
      let result: unknown;
      try {
        result = await handler(raw.value, context);
      } catch (error) {
        result = throwError(() => error);
      }
      if (isObservable(result))
        return this.sendStream(result, this.getPublisher(to, String(replyPartition), id, context));
      const outgoing = (await this.serializer.serialize(result as never)) as {
        value: unknown;
        headers: Record<string, unknown>;
        partition?: number;
      };
      if (replyPartition !== undefined && replyPartition !== null) outgoing.partition = Number(replyPartition);
      outgoing.headers[CORRELATION_ID] = id;
      outgoing.headers[IS_DISPOSED] = Buffer.alloc(1);
      this.outbox ??= new CoalescingProducer(this.producer!, this.options.send);
      await this.outbox
        .send(to, outgoing as never)
        .catch((error: unknown) => {
          this.logger.warn({
            msg: `${position(topic, partition, message.offset)}: its reply to ${to} was not sent: ${describe(error)}`,
            ...requestContextOf(message.headers),
          });
        })
        .finally(() => this.onProcessingEndHook?.(this.transportId, context));
    });
  }

  /**
   * A handler's stream as NestJS' server sends it: a retriable error before the first value goes back to kafkajs
   * (redelivery); otherwise every value, or the error, is published as a reply.
   */
  private async sendStream(
    response$: Observable<unknown>,
    publish: (data: WritePacket) => Promise<unknown>,
  ): Promise<void> {
    const replay$ = new ReplaySubject<unknown>();
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      response$.subscribe({
        next: (value) => {
          replay$.next(value);
          if (!settled) resolve();
          settled = true;
        },
        error: (error: unknown) => {
          if (error instanceof KafkaRetriableException && !settled) reject(error);
          else resolve();
          settled = true;
          replay$.error(error);
        },
        complete: () => {
          replay$.complete();
          resolve();
        },
      });
    });
    this.send(replay$, publish);
  }

  /** A topic's handler by its name first: NestJS tries `JSON.parse` on every pattern (a SyntaxError per message). */
  override getHandlerByPattern(pattern: string): ReturnType<ServerKafka['getHandlerByPattern']> {
    return this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern);
  }

  /** Every reply send of a request being handled is kept, so that {@link handleMessage} waits for it. */
  override getPublisher(
    replyTopic: string,
    replyPartition: string,
    correlationId: string,
    context: KafkaContext,
  ): ReturnType<ServerKafka['getPublisher']> {
    const publish = super.getPublisher(replyTopic, replyPartition, correlationId, context);
    const at = position(context.getTopic(), context.getPartition(), context.getMessage().offset);
    return (data: unknown) => {
      const sent = publish(data).catch((error: unknown) => {
        this.logger.warn({
          msg: `${at}: its reply to ${replyTopic} was not sent: ${describe(error)}`,
          ...requestContextOf(context.getMessage().headers),
        });
        return [];
      });
      this.replies.get(at)?.push(sent);
      return sent;
    };
  }

  /**
   * The stock server's `send`, without its deferral to the next tick: each packet the handler's stream yields is
   * published as soon as the next one (or the end) shows it is not the last, the last one marked `isDisposed`.
   */
  override send(stream$: Observable<unknown>, respond: (data: WritePacket) => Promise<unknown> | void): Subscription {
    const queue: WritePacket[] = [];
    let sending = false;
    let held: WritePacket | undefined;
    const pump = async () => {
      sending = true;
      for (let packet = queue.shift(); packet; packet = queue.shift()) await respond(packet);
      sending = false;
    };
    const enqueue = (packet: WritePacket) => {
      queue.push(packet);
      if (!sending) void pump();
    };
    const hold = (packet: WritePacket) => {
      if (held) enqueue(held);
      held = packet;
    };
    return stream$
      .pipe(
        catchError((err: unknown) => {
          hold({ err });
          return EMPTY;
        }),
        finalize(() => {
          enqueue(held ? { ...held, isDisposed: true } : { isDisposed: true });
          held = undefined;
        }),
      )
      .subscribe((response) => hold({ response }));
  }

  override async bindEvents(consumer: Parameters<ServerKafka['bindEvents']>[0]): Promise<void> {
    const only = this.strata.topics ?? (() => true);
    const topics = [...this.messageHandlers.keys()].filter(only);
    if (topics.length > 0) await consumer.subscribe({ ...this.options.subscribe, topics });
    const { commitEveryMs } = this.strata;
    if (commitEveryMs !== undefined) {
      this.commits = new PeriodicCommits(consumer, commitEveryMs, (error) =>
        this.logger.warn(`committing handled offsets failed (the next commit covers them): ${describe(error)}`),
      );
      // A new assignment: requests of partitions handled before still answer, but no longer count towards commits.
      consumer.on(consumer.events.GROUP_JOIN, () => (this.inFlight = new Map()));
    }
    await consumer.run({
      ...this.options.run,
      ...(commitEveryMs === undefined
        ? { eachMessage: this.getMessageHandler() }
        : {
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: (payload) => this.serveBatch(payload),
          }),
    });
  }

  /**
   * A request-reply server's batch. Its unkeyed requests are handed to their handlers and the batch moves on without
   * waiting for their answers: kafkajs fetches again only once every batch of its last fetch has returned, so a request
   * that waits on a slow dependency (an embedding behind a busy encoder) would otherwise hold back every request after
   * it, on every partition — including those that would be answered at once (a lookup shed for its budget). Requests
   * handled at once still send their replies together in one Produce request ({@link CoalescingProducer}). A requester
   * keys a request only when it must stay in order with the others of its key (a store by entry, a purge by tenant),
   * and unkeyed ones are spread over the partitions with no order among them anyway. A keyed request, or an event,
   * waits for every request of its partition before it (of earlier batches too) and is handled alone; its failure goes
   * back to kafkajs, which delivers it again. Offsets are resolved (fetched past) as requests are handed on, and
   * committed every few seconds up to the first request of the partition not yet answered. Beyond
   * `maxRequestsInFlight` unanswered requests, the batch waits for one to finish.
   */
  private async serveBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const inFlight = this.partitionInFlight(topic, partition);
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const handle = () =>
        this.handleMessage({
          topic,
          partition,
          message,
          heartbeat: () => payload.heartbeat(),
          pause: () => payload.pause(),
        });
      if ((message.key !== null && message.key.length > 0) || !message.headers?.[REPLY_TOPIC]) {
        await inFlight.settled();
        await handle();
        payload.resolveOffset(message.offset);
        this.commits?.handledUpTo(topic, partition, message.offset);
        continue;
      }
      const handling = inFlight.track(message.offset, handle(), (error: unknown) =>
        // Not thrown back to kafkajs (the batch has moved on): its requester's deadline answers for it.
        this.logger.warn({
          msg: `${position(topic, partition, message.offset)} failed: ${describe(error)}`,
          ...requestContextOf(message.headers),
        }),
      );
      this.handling.add(handling);
      void handling.then(() => {
        this.handling.delete(handling);
        this.waitingForRoom.shift()?.();
      });
      payload.resolveOffset(message.offset);
      while (this.handling.size >= (this.strata.maxRequestsInFlight ?? MAX_REQUESTS_IN_FLIGHT))
        await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
  }

  /** The requests being handled of `topic`/`partition` under the current assignment. */
  private partitionInFlight(topic: string, partition: number): PartitionInFlight {
    const key = `${topic}/${partition}`;
    let inFlight = this.inFlight.get(key);
    if (inFlight === undefined) {
      const lanes = this.inFlight;
      const own: PartitionInFlight = new PartitionInFlight((offset) => {
        if (lanes.get(key) === own) this.commits?.handledUpTo(topic, partition, offset);
      });
      inFlight = own;
      lanes.set(key, own);
    }
    return inFlight;
  }

  override async close(): Promise<void> {
    // A request-reply server drains: no new requests, the ones being handled answered, then their offsets committed.
    if (this.commits !== undefined) {
      await this.consumer?.stop();
      await Promise.all(this.handling);
    }
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    await this.commits?.stop();
    this.commits = undefined;
    this.outbox = undefined;
    await super.close();
  }

  override async handleEvent(pattern: string, packet: ReadPacket, context: KafkaContext): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    const message = context.getMessage();
    const origin = {
      topic: context.getTopic(),
      partition: context.getPartition(),
      offset: message.offset,
      key: message.key,
      value: message.value,
    };
    if (!handler) {
      await sendToDeadLetter(context.getProducer(), origin, `no handler for ${pattern}`, 'unhandled');
      return;
    }
    const id = `${origin.topic}/${origin.partition}/${origin.offset}`;
    try {
      const result: unknown = await handler(packet.data, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      this.attempts.delete(id);
    } catch (error) {
      const payload = error as Partial<RpcErrorPayload> | undefined;
      if (payload?.deadLettered || payload?.code === ErrorCode.InvalidMessage) {
        this.attempts.delete(id);
        return;
      }
      if (payload?.code !== undefined && TRANSIENT.has(payload.code)) {
        StrataMetrics.shared().kafkaRetries.inc({ topic: origin.topic });
        this.logger.warn({
          msg: `${id}: a dependency is unavailable, will be redelivered: ${describe(error)}`,
          ...requestContextOf(message.headers),
        });
        throw new Error(describe(error));
      }
      const attempt = (this.attempts.get(id) ?? 0) + 1;
      if (attempt >= this.strata.maxAttempts) {
        this.attempts.delete(id);
        await sendToDeadLetter(
          context.getProducer(),
          origin,
          `failed ${attempt} times: ${describe(error)}`,
          'exhausted',
        );
        return;
      }
      this.attempts.set(id, attempt);
      StrataMetrics.shared().kafkaRetries.inc({ topic: origin.topic });
      this.logger.warn({
        msg: `${id} failed (attempt ${attempt}/${this.strata.maxAttempts}), will be redelivered: ${describe(error)}`,
        ...requestContextOf(message.headers),
      });
      throw error instanceof Error ? error : new Error(describe(error));
    }
  }
}
