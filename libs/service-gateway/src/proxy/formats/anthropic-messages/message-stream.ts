import { type JsonValue } from '@strata/contracts';
import { type JsonObject, isJsonObject } from '../../../openai/sse/chat-stream';
import { type TokenUsage, tokenCount } from '../../token-usage';

/** How a streamed Messages answer is stored: the upstream's events, in order, as parsed JSON (each event's name is its `type`). */
const MESSAGE_STREAM_RECORD = 'strata.anthropic.message.stream';

// A type alias (not an interface) so that a record is a JsonValue as it stands.
type MessageStreamRecord = { object: typeof MESSAGE_STREAM_RECORD; events: JsonObject[] };

export function messageStreamRecord(events: JsonObject[]): MessageStreamRecord {
  return { object: MESSAGE_STREAM_RECORD, events };
}

function isMessageStreamRecord(value: JsonValue): value is MessageStreamRecord {
  return (
    isJsonObject(value) &&
    value['object'] === MESSAGE_STREAM_RECORD &&
    Array.isArray(value['events']) &&
    value['events'].every(isJsonObject)
  );
}

/** An Anthropic `message` (what a non-streaming request answers). */
export function isMessage(value: unknown): value is JsonObject {
  return isJsonObject(value) && value['type'] === 'message' && Array.isArray(value['content']);
}

/** One SSE frame of a Messages stream: `event: <type>` then its data. */
export function formatMessageEvent(event: JsonObject): string {
  return `event: ${typeOf(event)}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** An event's, delta's or block's `type` ('' when it has none). */
function typeOf(value: JsonObject): string {
  const type = value['type'];
  return typeof type === 'string' ? type : '';
}

function appendString(target: JsonObject, key: string, value: JsonValue | undefined): void {
  if (typeof value !== 'string') return;
  const current = target[key];
  target[key] = typeof current === 'string' ? current + value : value;
}

/** Applies a `content_block_delta` to its block: text, tool input JSON, thinking, signature, citations. */
function applyDelta(block: JsonObject, partialJson: Map<JsonObject, string>, delta: JsonObject): void {
  switch (typeOf(delta)) {
    case 'text_delta':
      appendString(block, 'text', delta['text']);
      break;
    case 'input_json_delta':
      if (typeof delta['partial_json'] === 'string')
        partialJson.set(block, (partialJson.get(block) ?? '') + delta['partial_json']);
      break;
    case 'thinking_delta':
      appendString(block, 'thinking', delta['thinking']);
      break;
    case 'signature_delta':
      if (typeof delta['signature'] === 'string') block['signature'] = delta['signature'];
      break;
    case 'citations_delta': {
      const citations = Array.isArray(block['citations']) ? block['citations'] : [];
      if (delta['citation'] !== undefined) citations.push(delta['citation']);
      block['citations'] = citations;
      break;
    }
    default:
      // Unknown delta kinds: their string fields are concatenated onto the block.
      for (const [key, value] of Object.entries(delta)) if (key !== 'type') appendString(block, key, value);
  }
}

/**
 * Rebuilds the `message` a non-streaming request would have received from a stream's events: the
 * `message_start` message, its content blocks with their deltas applied (tool inputs parsed from their
 * JSON), then `message_delta`'s stop reason and usage.
 */
export function assembleMessage(events: readonly JsonObject[]): JsonObject {
  let message: JsonObject = { type: 'message', role: 'assistant', content: [] };
  const blocks = new Map<number, JsonObject>();
  const partialJson = new Map<JsonObject, string>();
  for (const event of events) {
    switch (typeOf(event)) {
      case 'message_start':
        if (isJsonObject(event['message'])) message = { ...event['message'] };
        break;
      case 'content_block_start':
        if (typeof event['index'] === 'number' && isJsonObject(event['content_block']))
          blocks.set(event['index'], { ...event['content_block'] });
        break;
      case 'content_block_delta': {
        const block = typeof event['index'] === 'number' ? blocks.get(event['index']) : undefined;
        if (block && isJsonObject(event['delta'])) applyDelta(block, partialJson, event['delta']);
        break;
      }
      case 'message_delta':
        if (isJsonObject(event['delta'])) Object.assign(message, event['delta']);
        if (isJsonObject(event['usage'])) message['usage'] = mergeUsage(message['usage'], event['usage']);
        break;
      default:
      // ping, content_block_stop, message_stop: nothing to assemble.
    }
  }
  for (const [block, json] of partialJson) {
    try {
      block['input'] = json === '' ? {} : (JSON.parse(json) as JsonValue);
    } catch {
      block['input'] = json;
    }
  }
  message['content'] = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
  return message;
}

/** `message_delta` usage is cumulative: its non-null fields replace `message_start`'s. */
function mergeUsage(start: JsonValue | undefined, delta: JsonObject): JsonObject {
  const merged: JsonObject = isJsonObject(start) ? { ...start } : {};
  for (const [key, value] of Object.entries(delta)) if (value !== null) merged[key] = value;
  return merged;
}

/** The delta that carries a whole block's content, and the block as `content_block_start` announces it. */
function blockEvents(block: JsonObject): { start: JsonObject; deltas: JsonObject[] } {
  switch (typeOf(block)) {
    case 'text': {
      const { text, citations: _citations, ...rest } = block;
      const deltas: JsonObject[] = typeof text === 'string' && text !== '' ? [{ type: 'text_delta', text }] : [];
      if (Array.isArray(block['citations']))
        for (const citation of block['citations']) deltas.push({ type: 'citations_delta', citation });
      return { start: { ...rest, text: '' }, deltas };
    }
    case 'tool_use':
    case 'server_tool_use':
      return {
        start: { ...block, input: {} },
        deltas: [{ type: 'input_json_delta', partial_json: JSON.stringify(block['input'] ?? {}) }],
      };
    case 'thinking': {
      const deltas: JsonObject[] = [
        { type: 'thinking_delta', thinking: typeof block['thinking'] === 'string' ? block['thinking'] : '' },
      ];
      if (typeof block['signature'] === 'string')
        deltas.push({ type: 'signature_delta', signature: block['signature'] });
      return { start: { type: 'thinking', thinking: '', signature: '' }, deltas };
    }
    default:
      // redacted_thinking, tool results of server tools…: announced whole.
      return { start: block, deltas: [] };
  }
}

/**
 * The events a streaming request would have received for a message: `message_start` (empty content,
 * no stop reason), per content block its start, the delta carrying its content and its stop, then
 * `message_delta` (stop reason, usage) and `message_stop`.
 */
export function synthesiseEvents(message: JsonObject): JsonObject[] {
  const usage = isJsonObject(message['usage']) ? message['usage'] : {};
  const startMessage: JsonObject = {
    ...message,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...usage, output_tokens: 0 },
  };
  const events: JsonObject[] = [{ type: 'message_start', message: startMessage }];
  const content = Array.isArray(message['content']) ? message['content'] : [];
  content.forEach((block, index) => {
    if (!isJsonObject(block)) return;
    const { start, deltas } = blockEvents(block);
    events.push({ type: 'content_block_start', index, content_block: start });
    for (const delta of deltas) events.push({ type: 'content_block_delta', index, delta });
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: message['stop_reason'] ?? 'end_turn', stop_sequence: message['stop_sequence'] ?? null },
    usage,
  });
  events.push({ type: 'message_stop' });
  return events;
}

/** The events to stream for a stored answer, or undefined when it is not a Messages answer. */
export function eventsOf(stored: JsonValue): readonly JsonObject[] | undefined {
  if (isMessageStreamRecord(stored)) return stored.events;
  if (isMessage(stored)) return synthesiseEvents(stored);
  return undefined;
}

/** The message to return for a stored answer, or undefined when it is not a Messages answer. */
export function messageOf(stored: JsonValue): JsonObject | undefined {
  if (isMessage(stored)) return stored;
  if (isMessageStreamRecord(stored)) return assembleMessage(stored.events);
  return undefined;
}

/**
 * Token usage of a stored answer. Anthropic's `input_tokens` counts only the input after the last
 * cache breakpoint; the input as a whole is that plus what was read from and written to the prompt cache.
 */
export function messageUsage(stored: JsonValue): TokenUsage | undefined {
  const message = isMessage(stored)
    ? stored
    : isMessageStreamRecord(stored)
      ? assembleMessage(stored.events)
      : undefined;
  const usage = message?.['usage'];
  if (!isJsonObject(usage)) return undefined;
  const cacheRead = tokenCount(usage['cache_read_input_tokens']);
  const cacheWrite = tokenCount(usage['cache_creation_input_tokens']);
  return {
    inputTokens: tokenCount(usage['input_tokens']) + cacheRead + cacheWrite,
    outputTokens: tokenCount(usage['output_tokens']),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
}
