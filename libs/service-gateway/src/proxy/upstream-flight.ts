import { type JsonValue } from '@strata/contracts';
import { LiveStream } from '../openai/chat/live-stream';
import { type FlightControl } from '../openai/coalescing/request-coalescer';
import { SseParser, type SseItem, formatSseComment } from '../openai/sse/sse-parser';
import { Deadline } from '../openai/upstream/deadline';
import {
  type ClientCredentials,
  type UpstreamCall,
  type UpstreamFailure,
  type UpstreamPort,
  type UpstreamResponse,
  passThroughHeaders,
} from '../openai/upstream/upstream-client';
import { type UpstreamTarget } from '../openai/upstream/upstream-router';
import { type TokenUsage } from './token-usage';
import { type StreamRecorder, type WireFormat } from './wire-format';

/** What the upstream answered, as soon as its headers are in. */
export type FlightHead =
  | { readonly kind: 'json'; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | {
      readonly kind: 'sse';
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly stream: LiveStream;
    }
  | { readonly kind: 'failed'; readonly error: UpstreamFailure };

/** Whether and how the flight's answer is stored; requests joining the flight merge their wishes in. */
class StoreIntent {
  private wanted = false;
  readonly tags = new Set<string>();
  private ttl: number | undefined;

  /** A request that allows storing makes the flight store (tags united, shortest TTL wins). */
  merge(allowed: boolean, tags: readonly string[], ttlSeconds: number | undefined): void {
    if (!allowed) return;
    this.wanted = true;
    for (const tag of tags) this.tags.add(tag);
    if (ttlSeconds !== undefined) this.ttl = this.ttl === undefined ? ttlSeconds : Math.min(this.ttl, ttlSeconds);
  }

  get allowed(): boolean {
    return this.wanted;
  }

  get ttlSeconds(): number | undefined {
    return this.ttl;
  }
}

interface FlightRequest {
  readonly format: Pick<WireFormat, 'endpoint' | 'path' | 'storableJson' | 'recorder' | 'usage'>;
  readonly target: UpstreamTarget;
  /** The JSON body sent upstream. */
  readonly body: string;
  readonly stream: boolean;
  readonly credentials: ClientCredentials;
  /** Sent whoever's key is used (`anthropic-version`, `anthropic-beta`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Picks the replica when the target has several (the stable-prefix hash: prefix affinity). */
  readonly routingKey?: string | undefined;
  /** False for a pass-through that is never stored (its answer is still read for its usage). */
  readonly storable: boolean;
  /** The client request that started the flight: its log lines name it. */
  readonly requestId?: string | undefined;
}

/**
 * One upstream call, shared by every request coalesced onto it, in any API's wire format. `head`
 * resolves when the upstream answers (or fails); `record` when the exchange is over, with the complete
 * answer: the answer, or the record of a stream that reached its terminal event without an error;
 * undefined otherwise (non-2xx, errors, truncated or aborted streams). `answer` is the record when the
 * flight may be stored; `usage` the record's token usage.
 */
export class UpstreamFlight {
  readonly startedAt = Date.now();
  readonly intent = new StoreIntent();
  readonly head: Promise<FlightHead>;
  readonly record: Promise<JsonValue | undefined>;
  readonly answer: Promise<JsonValue | undefined>;
  readonly usage: Promise<TokenUsage | undefined>;
  private resolveHead!: (head: FlightHead) => void;
  private resolveRecord!: (record: JsonValue | undefined) => void;

  constructor(
    private readonly upstream: UpstreamPort,
    private readonly request: FlightRequest,
    private readonly control: FlightControl,
  ) {
    this.head = new Promise((resolve) => (this.resolveHead = resolve));
    this.record = new Promise((resolve) => (this.resolveRecord = resolve));
    this.answer = request.storable ? this.record : this.record.then(() => undefined);
    this.usage = this.record.then((record) => (record === undefined ? undefined : request.format.usage(record)));
  }

  /** Starts the call; never rejects (failures resolve `head` as `failed`). */
  start(): this {
    void this.run();
    return this;
  }

  /** The replica (or single upstream) to try, in order, each with the release of its in-flight slot. */
  private candidates(): { target: UpstreamTarget; acquire: () => () => void }[] {
    const { target, routingKey } = this.request;
    const set = target.replicas;
    if (!set) return [{ target, acquire: () => () => undefined }];
    return set
      .order(routingKey ?? '')
      .map((index) => ({ target: set.replicas[index] ?? target, acquire: () => set.acquire(index) }));
  }

  /**
   * Opens the call on the first candidate that answers: a replica that cannot be reached or answers 5xx
   * is skipped for the next one (the last one's answer or failure is the flight's). Undefined when it failed.
   */
  private async open(
    call: UpstreamCall,
    deadline: Deadline,
  ): Promise<{ response: UpstreamResponse; call: UpstreamCall; release: () => void } | undefined> {
    const candidates = this.candidates();
    for (const [i, candidate] of candidates.entries()) {
      const attempt = { ...call, target: candidate.target };
      const release = candidate.acquire();
      const last = i === candidates.length - 1;
      let response: UpstreamResponse;
      try {
        response = await this.upstream.open(attempt);
      } catch (error) {
        release();
        const failure = this.upstream.failure(attempt, error, deadline);
        if (failure.kind === 'unreachable' && !last) continue;
        deadline.clear();
        this.fail(failure);
        return undefined;
      }
      if (response.status >= 500 && !last) {
        release();
        response.discard();
        continue;
      }
      return { response, call: attempt, release };
    }
    return undefined;
  }

  private async run(): Promise<void> {
    const { target, body, stream, format } = this.request;
    // The flight's abort reaches the call through the deadline (a callback, not a second signal to listen to).
    const deadline = new Deadline(undefined, this.upstream.timeoutMs);
    this.control.onAbort(() => deadline.abort());
    const request: UpstreamCall = {
      target,
      endpoint: format.endpoint,
      method: 'POST' as const,
      path: format.path,
      body,
      stream,
      credentials: this.request.credentials,
      headers: this.request.headers ?? {},
      signal: deadline.signal,
      requestId: this.request.requestId,
    };
    const started = process.hrtime.bigint();
    const opened = await this.open(request, deadline);
    if (!opened) return;
    try {
      await this.read(opened.response, opened.call, deadline, started);
    } finally {
      opened.release();
    }
  }

  private async read(
    response: UpstreamResponse,
    call: UpstreamCall,
    deadline: Deadline,
    started: bigint,
  ): Promise<void> {
    const { format } = this.request;
    const endpoint = format.endpoint;
    const headers = passThroughHeaders(response.headers);
    const contentType = response.headers['content-type'] ?? '';
    const ok = response.status >= 200 && response.status < 300;
    if (!(ok && contentType.includes('text/event-stream'))) {
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        this.fail(this.upstream.failure(call, error, deadline));
        return;
      } finally {
        deadline.clear();
      }
      this.upstream.observe(endpoint, started, `${Math.floor(response.status / 100)}xx`);
      this.resolveHead({ kind: 'json', status: response.status, headers, body: text });
      this.control.settle();
      this.resolveRecord(ok ? format.storableJson(text) : undefined);
      return;
    }

    this.upstream.observe(endpoint, started, '2xx');
    const live = new LiveStream();
    this.resolveHead({ kind: 'sse', status: response.status, headers, stream: live });
    const reader = new StreamReader(live, format.recorder());
    deadline.restart(this.upstream.streamIdleTimeoutMs);
    try {
      for await (const bytes of response.chunks()) {
        deadline.restart(this.upstream.streamIdleTimeoutMs);
        reader.push(bytes);
      }
      reader.end();
    } catch {
      reader.interrupted();
    } finally {
      deadline.clear();
    }
    if (!reader.complete) this.upstream.observe(endpoint, started, 'truncated');
    live.finish(reader.complete);
    this.control.settle();
    this.resolveRecord(reader.storable ? reader.record() : undefined);
  }

  private fail(error: UpstreamFailure): void {
    this.resolveHead({ kind: 'failed', error });
    this.control.settle();
    this.resolveRecord(undefined);
  }
}

/**
 * Reads an upstream SSE stream: every frame goes to the live stream as it is parsed, and the format's
 * recorder keeps the record. Storable only when the format's terminal event arrived, the stream was
 * read in full, and the recorder saw nothing wrong.
 */
class StreamReader {
  private whole = true;
  private readonly parser = new SseParser();

  constructor(
    private readonly live: LiveStream,
    private readonly recorder: StreamRecorder,
  ) {}

  get complete(): boolean {
    return this.recorder.complete;
  }

  get storable(): boolean {
    return this.recorder.complete && this.recorder.clean && this.whole;
  }

  record(): JsonValue {
    return this.recorder.record();
  }

  push(bytes: Uint8Array): void {
    for (const item of this.parser.push(bytes)) this.item(item);
  }

  end(): void {
    const { items, truncated } = this.parser.end();
    for (const item of items) this.item(item);
    if (truncated) this.whole = false;
  }

  interrupted(): void {
    this.whole = false;
  }

  private item(item: SseItem): void {
    if (item.kind === 'comment') {
      this.live.push({ text: formatSseComment(item.text), usageOnly: false });
      return;
    }
    const frame = this.recorder.event(item);
    if (frame) this.live.push(frame);
  }
}
