import { type StreamFrame } from '../openai/chat/live-stream';
import { type FlightControl } from '../openai/coalescing/request-coalescer';
import { type Deadline } from '../openai/upstream/deadline';
import {
  type UpstreamCall,
  type UpstreamEndpoint,
  UpstreamFailure,
  type UpstreamPort,
  type UpstreamResponse,
} from '../openai/upstream/upstream-client';
import { anthropicMessagesFormat } from './formats/anthropic-messages/anthropic-messages.format';
import { ReplicaSet } from './affinity/replica-set';
import { openAiChatFormat } from './formats/openai-chat/openai-chat.format';
import { type FlightHead, UpstreamFlight } from './upstream-flight';

class FakeUpstreamPort implements UpstreamPort {
  readonly timeoutMs = 60_000;
  readonly streamIdleTimeoutMs = 60_000;
  readonly outcomes: string[] = [];
  readonly calls: UpstreamCall[] = [];

  constructor(private readonly respond: (signal: UpstreamCall['signal']) => Promise<Response>) {}

  async open(call: UpstreamCall): Promise<UpstreamResponse> {
    this.calls.push(call);
    return upstreamResponse(await this.respond(call.signal));
  }

  observe(_endpoint: UpstreamEndpoint, _started: bigint, outcome: string): void {
    this.outcomes.push(outcome);
  }

  failure(call: Pick<UpstreamCall, 'signal'>, error: unknown, deadline: Deadline): UpstreamFailure {
    return new UpstreamFailure(
      deadline.timedOut ? 'timeout' : call.signal.aborted ? 'aborted' : 'unreachable',
      String(error),
    );
  }
}

/** A hand-made fetch `Response` as the upstream client's response (the tests write bodies with WHATWG streams). */
function upstreamResponse(response: Response): UpstreamResponse {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const body = response.body;
  return {
    status: response.status,
    headers,
    text: () => response.text(),
    chunks: () => (body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })) as AsyncIterable<Uint8Array>,
    discard: () => void body?.cancel().catch(() => undefined),
  };
}

/** An SSE body the test writes by hand; aborting the call errors it, as fetch does. */
function sseBody(signal?: UpstreamCall['signal']) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
  const aborted = () => controller.error(new DOMException('aborted', 'AbortError'));
  if (signal instanceof AbortSignal) signal.addEventListener('abort', aborted);
  else signal?.once('abort', aborted);
  return {
    response: new Response(stream, {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_1' },
    }),
    send: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
    cut: () => controller.error(new Error('socket hang up')),
  };
}

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
const usage = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\n`;
const completion = {
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 2048, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 1024 } },
};

function control() {
  const abort = new AbortController();
  const state = { settled: false, released: false };
  const c: FlightControl = {
    signal: abort.signal,
    onAbort: (listener) => {
      if (abort.signal.aborted) listener();
      else abort.signal.addEventListener('abort', listener, { once: true });
    },
    settle: () => (state.settled = true),
    release: () => (state.released = true),
  };
  return { control: c, abort, state };
}

async function ticks(n = 10): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

function start(upstream: UpstreamPort, c: FlightControl, storable = true, format = openAiChatFormat()): UpstreamFlight {
  const target = {
    baseUrl: 'http://upstream/v1',
    query: '',
    apiKey: undefined,
    apiKeyHeader: 'authorization' as const,
  };
  return new UpstreamFlight(
    upstream,
    { format, target, body: '{}', stream: true, credentials: {}, storable },
    c,
  ).start();
}

function sse(head: FlightHead) {
  if (head.kind !== 'sse') throw new Error(`expected an SSE head, got ${head.kind}`);
  const frames: StreamFrame[] = [];
  let ended: boolean | undefined;
  head.stream.subscribe({ frame: (f) => frames.push(f), end: (done) => (ended = done) });
  return { frames, ended: () => ended };
}

describe(UpstreamFlight.name, () => {
  it('passes a JSON answer through and offers a completion for storing', async () => {
    const json = JSON.stringify(completion);
    const { control: c, state } = control();
    const flight = start(
      new FakeUpstreamPort(() =>
        Promise.resolve(
          new Response(json, {
            status: 200,
            headers: { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '9', 'set-cookie': 'a=b' },
          }),
        ),
      ),
      c,
    );
    const head = await flight.head;
    expect(head).toEqual({
      kind: 'json',
      status: 200,
      headers: { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '9' },
      body: json,
    });
    expect(await flight.answer).toEqual(completion);
    expect(state.settled).toBe(true);
  });

  it('never offers an error answer for storing', async () => {
    const { control: c } = control();
    const flight = start(
      new FakeUpstreamPort(() => Promise.resolve(new Response('{"error":{"message":"boom"}}', { status: 500 }))),
      c,
    );
    expect(await flight.head).toMatchObject({ kind: 'json', status: 500 });
    expect(await flight.answer).toBeUndefined();
  });

  it('forwards each SSE frame as it arrives and records a complete stream, usage chunk flagged', async () => {
    const body = sseBody();
    const upstream = new FakeUpstreamPort(() => Promise.resolve(body.response));
    const flight = start(upstream, control().control);
    const client = sse(await flight.head);
    body.send(chunk('Hel'));
    await ticks();
    expect(client.frames.map((f) => f.text)).toEqual([chunk('Hel')]);
    body.send(chunk('lo', 'stop') + usage + 'data: [DONE]\n\n');
    body.end();
    const answer = (await flight.answer) as { object: string; chunks: unknown[] };
    expect(client.ended()).toBe(true);
    expect(client.frames.map((f) => f.usageOnly)).toEqual([false, false, true]);
    expect(answer.object).toBe('strata.chat.completion.stream');
    expect(answer.chunks).toHaveLength(3);
  });

  it('does not offer a stream that ended without [DONE]', async () => {
    const body = sseBody();
    const flight = start(new FakeUpstreamPort(() => Promise.resolve(body.response)), control().control);
    const client = sse(await flight.head);
    body.send(chunk('partial'));
    body.end();
    expect(await flight.answer).toBeUndefined();
    expect(client.ended()).toBe(false);
  });

  it('does not offer a stream with an error in it, though it forwards it', async () => {
    const body = sseBody();
    const flight = start(new FakeUpstreamPort(() => Promise.resolve(body.response)), control().control);
    const client = sse(await flight.head);
    body.send(chunk('a') + 'data: {"error":{"message":"overloaded"}}\n\ndata: [DONE]\n\n');
    body.end();
    expect(await flight.answer).toBeUndefined();
    expect(client.frames).toHaveLength(2);
    expect(client.ended()).toBe(true);
  });

  it('does not offer a stream the upstream cut, and counts it truncated', async () => {
    const body = sseBody();
    const upstream = new FakeUpstreamPort(() => Promise.resolve(body.response));
    const flight = start(upstream, control().control);
    await flight.head;
    body.send(chunk('a'));
    await ticks();
    body.cut();
    expect(await flight.answer).toBeUndefined();
    expect(upstream.outcomes).toEqual(['2xx', 'truncated']);
  });

  it('stops reading when every client has gone (its control aborts), and offers nothing', async () => {
    const { control: c, abort } = control();
    let body!: ReturnType<typeof sseBody>;
    const flight = start(
      new FakeUpstreamPort((signal) => {
        body = sseBody(signal);
        return Promise.resolve(body.response);
      }),
      c,
    );
    const client = sse(await flight.head);
    body.send(chunk('a'));
    await ticks();
    abort.abort();
    expect(await flight.answer).toBeUndefined();
    expect(client.ended()).toBe(false);
  });

  it('reports an unreachable upstream as a failed head', async () => {
    const { control: c, state } = control();
    const flight = start(new FakeUpstreamPort(() => Promise.reject(new TypeError('fetch failed'))), c);
    const head = await flight.head;
    expect(head.kind).toBe('failed');
    expect(head.kind === 'failed' && head.error.status).toBe(502);
    expect(await flight.answer).toBeUndefined();
    expect(state.settled).toBe(true);
  });

  it('never offers a pass-through for storing, but still reads its usage, prompt-cache reads included', async () => {
    const flight = start(
      new FakeUpstreamPort(() => Promise.resolve(new Response(JSON.stringify(completion), { status: 200 }))),
      control().control,
      false,
    );
    expect(await flight.answer).toBeUndefined();
    expect(await flight.usage).toEqual({
      inputTokens: 2048,
      outputTokens: 1,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
    });
  });

  describe("in Anthropic's wire format", () => {
    const event = (data: Record<string, unknown>) =>
      `event: ${String(data['type'])}\ndata: ${JSON.stringify(data)}\n\n`;
    const start_ = event({
      type: 'message_start',
      message: {
        id: 'm',
        type: 'message',
        role: 'assistant',
        content: [],
        usage: { input_tokens: 3, cache_read_input_tokens: 1024, output_tokens: 1 },
      },
    });
    const text =
      event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
      event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } });
    const end =
      event({ type: 'content_block_stop', index: 0 }) +
      event({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }) +
      event({ type: 'message_stop' });

    it('forwards named events as they arrive and records a stream that reached message_stop, with its usage', async () => {
      const body = sseBody();
      const flight = start(
        new FakeUpstreamPort(() => Promise.resolve(body.response)),
        control().control,
        true,
        anthropicMessagesFormat(),
      );
      const client = sse(await flight.head);
      body.send(start_ + text + end);
      body.end();
      const answer = (await flight.answer) as { object: string; events: unknown[] };
      expect(answer.object).toBe('strata.anthropic.message.stream');
      expect(answer.events).toHaveLength(6);
      expect(client.frames.map((f) => f.text).join('')).toBe(start_ + text + end);
      expect(client.ended()).toBe(true);
      expect(await flight.usage).toEqual({
        inputTokens: 1027,
        outputTokens: 2,
        cacheReadTokens: 1024,
        cacheWriteTokens: 0,
      });
    });

    it('does not offer a stream with an error event, nor one that ended before message_stop', async () => {
      for (const tail of [
        event({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) + end,
        '',
      ]) {
        const body = sseBody();
        const flight = start(
          new FakeUpstreamPort(() => Promise.resolve(body.response)),
          control().control,
          true,
          anthropicMessagesFormat(),
        );
        await flight.head;
        body.send(start_ + text + tail);
        body.end();
        expect(await flight.answer).toBeUndefined();
      }
    });
  });

  it('fails over to the next replica when one cannot be reached or answers 5xx, and frees every in-flight slot', async () => {
    const urls = ['http://a/v1', 'http://b/v1', 'http://c/v1'];
    const replicas = urls.map((baseUrl) => ({
      baseUrl,
      query: '',
      apiKey: undefined,
      apiKeyHeader: 'authorization' as const,
    }));
    const set = new ReplicaSet(replicas, urls, 0.25);
    const order = set.order('prefix-1');
    const [first, second] = [urls[order[0]], urls[order[1]]];
    const upstream = new FakeUpstreamPort(() => Promise.resolve(new Response('{}')));
    upstream.open = (call) => {
      upstream.calls.push(call);
      if (call.target.baseUrl === first) return Promise.reject(new TypeError('fetch failed'));
      if (call.target.baseUrl === second)
        return Promise.resolve(upstreamResponse(new Response('{"error":{}}', { status: 503 })));
      return Promise.resolve(
        upstreamResponse(
          new Response(JSON.stringify(completion), { status: 200, headers: { 'content-type': 'application/json' } }),
        ),
      );
    };
    const target = { ...replicas[0], replicas: set };
    const flight = new UpstreamFlight(
      upstream,
      {
        format: openAiChatFormat(),
        target,
        routingKey: 'prefix-1',
        body: '{}',
        stream: false,
        credentials: {},
        storable: true,
      },
      control().control,
    ).start();
    expect(await flight.head).toMatchObject({ kind: 'json', status: 200 });
    expect(upstream.calls.map((c) => c.target.baseUrl)).toEqual([first, second, urls[order[2]]]);
    await flight.answer;
    expect(set.load()).toEqual([0, 0, 0]);
  });
});
