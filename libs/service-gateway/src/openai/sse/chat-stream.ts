import { type JsonValue } from '@strata/contracts';
import { type TokenUsage, tokenCount } from '../../proxy/token-usage';

export type JsonObject = { [key: string]: JsonValue };

/** How a streamed answer is stored: the upstream's chunks, in order, as parsed JSON (`[DONE]` implied). */
const STREAM_RECORD_OBJECT = 'strata.chat.completion.stream';

// A type alias (not an interface) so that a record is a JsonValue as it stands.
type StreamRecord = { object: typeof STREAM_RECORD_OBJECT; chunks: JsonObject[] };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function streamRecord(chunks: JsonObject[]): StreamRecord {
  return { object: STREAM_RECORD_OBJECT, chunks };
}

export function isStreamRecord(value: JsonValue): value is StreamRecord {
  return (
    isJsonObject(value) &&
    value['object'] === STREAM_RECORD_OBJECT &&
    Array.isArray(value['chunks']) &&
    value['chunks'].every(isJsonObject)
  );
}

/** An OpenAI `chat.completion` (what a non-streaming request answers). */
export function isChatCompletion(value: unknown): value is JsonObject {
  return isJsonObject(value) && value['object'] === 'chat.completion' && Array.isArray(value['choices']);
}

/** The last chunk of a stream with `stream_options.include_usage`: no choices, only the usage. */
export function isUsageOnlyChunk(chunk: JsonObject): boolean {
  const choices = chunk['choices'];
  return Array.isArray(choices) && choices.length === 0 && isJsonObject(chunk['usage']);
}

function readUsage(usage: JsonValue | undefined): TokenUsage | undefined {
  if (!isJsonObject(usage)) return undefined;
  const details = usage['prompt_tokens_details'];
  return {
    inputTokens: tokenCount(usage['prompt_tokens']),
    outputTokens: tokenCount(usage['completion_tokens']),
    cacheReadTokens: isJsonObject(details) ? tokenCount(details['cached_tokens']) : 0,
    cacheWriteTokens: 0,
  };
}

/** Token usage of a stored answer (a completion's `usage`, or a stream's usage chunk); undefined when it has none. */
export function usageOf(response: JsonValue): TokenUsage | undefined {
  if (isChatCompletion(response)) return readUsage(response['usage']);
  if (isStreamRecord(response)) {
    for (let i = response.chunks.length - 1; i >= 0; i--) {
      const usage = readUsage(response.chunks[i]?.['usage']);
      if (usage) return usage;
    }
  }
  return undefined;
}

function appendString(target: JsonObject, key: string, value: string): void {
  const current = target[key];
  target[key] = typeof current === 'string' ? current + value : value;
}

interface ChoiceState {
  readonly index: number;
  readonly message: JsonObject;
  readonly toolCalls: Map<number, JsonObject>;
  logprobs: JsonObject | null;
  finishReason: JsonValue;
}

function mergeToolCall(state: ChoiceState, delta: JsonValue): void {
  if (!isJsonObject(delta)) return;
  const index = typeof delta['index'] === 'number' ? delta['index'] : state.toolCalls.size;
  let call = state.toolCalls.get(index);
  if (!call) {
    call = { id: '', type: 'function', function: { name: '', arguments: '' } };
    state.toolCalls.set(index, call);
  }
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'index') continue;
    if (key === 'function' && isJsonObject(value)) {
      const fn = call['function'] as JsonObject;
      for (const [fk, fv] of Object.entries(value)) {
        if (typeof fv === 'string') appendString(fn, fk, fv);
        else if (fv !== null) fn[fk] = fv;
      }
    } else if (typeof value === 'string' && key !== 'id' && key !== 'type') {
      appendString(call, key, value);
    } else if (value !== null) {
      call[key] = value;
    }
  }
}

function mergeLogprobs(state: ChoiceState, logprobs: JsonValue | undefined): void {
  if (!isJsonObject(logprobs)) return;
  state.logprobs ??= {};
  for (const [key, value] of Object.entries(logprobs)) {
    if (!Array.isArray(value)) continue;
    const current = state.logprobs[key];
    state.logprobs[key] = Array.isArray(current) ? [...current, ...value] : [...value];
  }
}

function mergeDelta(state: ChoiceState, delta: JsonObject): void {
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'tool_calls') {
      if (Array.isArray(value)) for (const call of value) mergeToolCall(state, call);
    } else if (key === 'function_call' && isJsonObject(value)) {
      const current = isJsonObject(state.message['function_call']) ? state.message['function_call'] : {};
      for (const [fk, fv] of Object.entries(value)) if (typeof fv === 'string') appendString(current, fk, fv);
      state.message['function_call'] = current;
    } else if (key === 'role') {
      if (typeof value === 'string') state.message['role'] = value;
    } else if (typeof value === 'string') {
      appendString(state.message, key, value);
    } else if (value !== null || !(key in state.message)) {
      state.message[key] = value;
    }
  }
}

/**
 * Rebuilds the `chat.completion` a non-streaming request would have received from a stream's chunks:
 * deltas concatenated per choice (content, refusal, reasoning and other text fields, tool-call
 * arguments by index), the last finish reason, logprobs joined, the usage chunk's usage.
 */
export function assembleCompletion(chunks: readonly JsonObject[]): JsonObject {
  const first = chunks[0] ?? {};
  const choices = new Map<number, ChoiceState>();
  let usage: JsonValue = null;
  let systemFingerprint: JsonValue | undefined;
  let serviceTier: JsonValue | undefined;
  for (const chunk of chunks) {
    if (isJsonObject(chunk['usage'])) usage = chunk['usage'];
    if (typeof chunk['system_fingerprint'] === 'string') systemFingerprint = chunk['system_fingerprint'];
    if (typeof chunk['service_tier'] === 'string') serviceTier = chunk['service_tier'];
    const deltas = chunk['choices'];
    if (!Array.isArray(deltas)) continue;
    for (const choice of deltas) {
      if (!isJsonObject(choice)) continue;
      const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
      let state = choices.get(index);
      if (!state) {
        state = {
          index,
          message: { role: 'assistant', content: null, refusal: null },
          toolCalls: new Map(),
          logprobs: null,
          finishReason: null,
        };
        choices.set(index, state);
      }
      if (isJsonObject(choice['delta'])) mergeDelta(state, choice['delta']);
      mergeLogprobs(state, choice['logprobs']);
      if (choice['finish_reason'] !== undefined && choice['finish_reason'] !== null)
        state.finishReason = choice['finish_reason'];
    }
  }
  const assembled: JsonObject = {
    id: first['id'] ?? null,
    object: 'chat.completion',
    created: first['created'] ?? Math.floor(Date.now() / 1000),
    model: first['model'] ?? null,
    choices: [...choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((state) => {
        const message: JsonObject = { ...state.message };
        if (state.toolCalls.size > 0)
          message['tool_calls'] = [...state.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
        return { index: state.index, message, logprobs: state.logprobs, finish_reason: state.finishReason };
      }),
    usage,
  };
  if (serviceTier !== undefined) assembled['service_tier'] = serviceTier;
  if (systemFingerprint !== undefined) assembled['system_fingerprint'] = systemFingerprint;
  return assembled;
}

/** Message fields that are not streamed as text deltas. */
const STRUCTURED_MESSAGE_FIELDS = new Set([
  'role',
  'content',
  'refusal',
  'tool_calls',
  'function_call',
  'annotations',
  'audio',
]);

/**
 * The chunks a streaming request would have received for a completion: per choice a role chunk, the
 * text fields (reasoning first, then content, refusal), tool calls, a finish chunk; then the usage
 * chunk (replay drops it for clients that did not ask for usage).
 */
export function synthesiseChunks(completion: JsonObject): JsonObject[] {
  const base: JsonObject = {
    id: completion['id'] ?? null,
    object: 'chat.completion.chunk',
    created: completion['created'] ?? 0,
    model: completion['model'] ?? null,
  };
  if (completion['service_tier'] !== undefined) base['service_tier'] = completion['service_tier'];
  if (completion['system_fingerprint'] !== undefined) base['system_fingerprint'] = completion['system_fingerprint'];
  const chunk = (
    index: number,
    delta: JsonObject,
    finishReason: JsonValue = null,
    logprobs: JsonValue = null,
  ): JsonObject => ({
    ...base,
    choices: [{ index, delta, logprobs, finish_reason: finishReason }],
  });

  const chunks: JsonObject[] = [];
  const choices = Array.isArray(completion['choices']) ? completion['choices'] : [];
  choices.forEach((raw, position) => {
    if (!isJsonObject(raw)) return;
    const index = typeof raw['index'] === 'number' ? raw['index'] : position;
    const message = isJsonObject(raw['message']) ? raw['message'] : {};
    const role = typeof message['role'] === 'string' ? message['role'] : 'assistant';
    chunks.push(chunk(index, { role, content: typeof message['content'] === 'string' ? '' : null, refusal: null }));
    for (const [key, value] of Object.entries(message)) {
      if (!STRUCTURED_MESSAGE_FIELDS.has(key) && typeof value === 'string' && value !== '')
        chunks.push(chunk(index, { [key]: value }));
    }
    if (typeof message['content'] === 'string' && message['content'] !== '')
      chunks.push(chunk(index, { content: message['content'] }, null, raw['logprobs'] ?? null));
    if (typeof message['refusal'] === 'string' && message['refusal'] !== '')
      chunks.push(chunk(index, { refusal: message['refusal'] }));
    if (Array.isArray(message['tool_calls']) && message['tool_calls'].length > 0) {
      chunks.push(
        chunk(index, {
          tool_calls: message['tool_calls'].map((call, i) => (isJsonObject(call) ? { index: i, ...call } : call)),
        }),
      );
    }
    if (isJsonObject(message['function_call'])) chunks.push(chunk(index, { function_call: message['function_call'] }));
    chunks.push(chunk(index, {}, raw['finish_reason'] ?? 'stop'));
  });
  if (isJsonObject(completion['usage'])) chunks.push({ ...base, choices: [], usage: completion['usage'] });
  return chunks;
}

/** The chunks to stream for a stored answer, or undefined when it is not a chat answer. */
export function chunksOf(response: JsonValue): readonly JsonObject[] | undefined {
  if (isStreamRecord(response)) return response.chunks;
  if (isChatCompletion(response)) return synthesiseChunks(response);
  return undefined;
}

/** The completion to return for a stored answer, or undefined when it is not a chat answer. */
export function completionOf(response: JsonValue): JsonObject | undefined {
  if (isChatCompletion(response)) return response;
  if (isStreamRecord(response)) return assembleCompletion(response.chunks);
  return undefined;
}
