import { type JsonValue } from '@strata/contracts';
import { type FlightControl } from '../coalescing/request-coalescer';
import { type JsonObject, isChatCompletion, isJsonObject, isUsageOnlyChunk, streamRecord } from '../sse/chat-stream';
import { SseParser, type SseItem, formatSseComment, formatSseEvent } from '../sse/sse-parser';
import { Deadline } from '../upstream/deadline';
import { type ClientCredentials, type UpstreamFailure, type UpstreamPort, passThroughHeaders } from '../upstream/upstream-client';
import { type UpstreamTarget } from '../upstream/upstream-router';
import { LiveStream } from './live-stream';

/** What the upstream answered, as soon as its headers are in. */
export type FlightHead =
  | { readonly kind: 'json'; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | { readonly kind: 'sse'; readonly status: number; readonly headers: Record<string, string>; readonly stream: LiveStream }
  | { readonly kind: 'failed'; readonly error: UpstreamFailure };

/** Whether and how the flight's answer is stored; requests joining the flight merge their wishes in. */
export class StoreIntent {
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

export interface ChatFlightRequest {
  readonly target: UpstreamTarget;
  /** The JSON body sent upstream. */
  readonly body: string;
  readonly stream: boolean;
  readonly credentials: ClientCredentials;
  /** False for a pass-through that is never stored: its answer is not even parsed. */
  readonly storable: boolean;
}

/**
 * One upstream chat-completions call, shared by every request coalesced onto it. `head` resolves when
 * the upstream answers (or fails); `answer` when the exchange is over, with what may be stored: the
 * completion, or the record of a stream that ended with `[DONE]` without an error; undefined otherwise
 * (non-2xx, errors, truncated or aborted streams).
 */
export class ChatFlight {
  readonly startedAt = Date.now();
  readonly intent = new StoreIntent();
  readonly head: Promise<FlightHead>;
  readonly answer: Promise<JsonValue | undefined>;
  private resolveHead!: (head: FlightHead) => void;
  private resolveAnswer!: (answer: JsonValue | undefined) => void;

  constructor(
    private readonly upstream: UpstreamPort,
    private readonly request: ChatFlightRequest,
    private readonly control: FlightControl,
  ) {
    this.head = new Promise((resolve) => (this.resolveHead = resolve));
    this.answer = new Promise((resolve) => (this.resolveAnswer = resolve));
  }

  /** Starts the call; never rejects (failures resolve `head` as `failed`). */
  start(): this {
    void this.run();
    return this;
  }

  private async run(): Promise<void> {
    const { target, body, stream } = this.request;
    const call = { target, endpoint: 'chat' as const, method: 'POST' as const, path: '/chat/completions', body, stream, credentials: this.request.credentials, signal: this.control.signal };
    const deadline = new Deadline(this.control.signal, this.upstream.timeoutMs);
    const started = process.hrtime.bigint();
    let response: Response;
    try {
      response = await this.upstream.open({ ...call, signal: deadline.signal });
    } catch (error) {
      deadline.clear();
      this.fail(this.upstream.failure(call, error, deadline));
      return;
    }
    const headers = passThroughHeaders(response.headers);
    const contentType = response.headers.get('content-type') ?? '';
    if (!(response.ok && contentType.includes('text/event-stream'))) {
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        this.fail(this.upstream.failure(call, error, deadline));
        return;
      } finally {
        deadline.clear();
      }
      this.upstream.observe('chat', started, `${Math.floor(response.status / 100)}xx`);
      this.resolveHead({ kind: 'json', status: response.status, headers, body: text });
      this.control.settle();
      this.resolveAnswer(response.ok && this.request.storable ? storableCompletion(text) : undefined);
      return;
    }

    this.upstream.observe('chat', started, '2xx');
    const live = new LiveStream();
    this.resolveHead({ kind: 'sse', status: response.status, headers, stream: live });
    const recorder = new StreamRecorder(live);
    deadline.restart(this.upstream.streamIdleTimeoutMs);
    try {
      if (response.body) {
        for await (const bytes of response.body as AsyncIterable<Uint8Array>) {
          deadline.restart(this.upstream.streamIdleTimeoutMs);
          recorder.push(bytes);
        }
      }
      recorder.end();
    } catch {
      recorder.interrupted();
    } finally {
      deadline.clear();
    }
    if (!recorder.complete) this.upstream.observe('chat', started, 'truncated');
    live.finish(recorder.sawDone);
    this.control.settle();
    this.resolveAnswer(recorder.storable && this.request.storable ? streamRecord(recorder.chunks) : undefined);
  }

  private fail(error: UpstreamFailure): void {
    this.resolveHead({ kind: 'failed', error });
    this.control.settle();
    this.resolveAnswer(undefined);
  }
}

function storableCompletion(text: string): JsonValue | undefined {
  try {
    const parsed = JSON.parse(text) as JsonValue;
    return isChatCompletion(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads an upstream SSE stream: every frame goes to the live stream as it is parsed, and the chunks are
 * kept for the stream record. A stream is storable only when it ended with `[DONE]`, in full, and with
 * no error event or unreadable chunk in it.
 */
class StreamRecorder {
  readonly chunks: JsonObject[] = [];
  sawDone = false;
  private clean = true;
  private readonly parser = new SseParser();

  constructor(private readonly live: LiveStream) {}

  get complete(): boolean {
    return this.sawDone;
  }

  get storable(): boolean {
    return this.sawDone && this.clean;
  }

  push(bytes: Uint8Array): void {
    for (const item of this.parser.push(bytes)) this.item(item);
  }

  end(): void {
    const { items, truncated } = this.parser.end();
    for (const item of items) this.item(item);
    if (truncated) this.clean = false;
  }

  interrupted(): void {
    this.clean = false;
  }

  private item(item: SseItem): void {
    if (item.kind === 'comment') {
      this.live.push({ text: formatSseComment(item.text), usageOnly: false });
      return;
    }
    if (this.sawDone) return;
    if (item.data === '[DONE]') {
      this.sawDone = true;
      return;
    }
    let usageOnly = false;
    if (item.event !== undefined && item.event !== 'message') this.clean = false;
    try {
      const chunk = JSON.parse(item.data) as unknown;
      if (isJsonObject(chunk) && chunk['error'] === undefined) {
        this.chunks.push(chunk);
        usageOnly = isUsageOnlyChunk(chunk);
      } else {
        this.clean = false;
      }
    } catch {
      this.clean = false;
    }
    this.live.push({ text: formatSseEvent(item), usageOnly });
  }
}
