import { type JsonValue, chatMessageSchema, modelSchema } from '@strata/contracts';
import { z } from 'zod';
import { parseBody } from '../../../http/parse-body';
import { type StreamFrame } from '../../../openai/chat/live-stream';
import { type JsonObject, isJsonObject } from '../../../openai/sse/chat-stream';
import { type SseEvent } from '../../../openai/sse/sse-parser';
import {
  type CacheControlMode,
  type CacheControlTtl,
  injectCacheControl,
} from '../../prompt-cache/cache-control-injection';
import {
  type CacheInput,
  type ParsedRequest,
  type StreamRecorder,
  type UpstreamBodyOptions,
  type WireFormat,
  recognisedJson,
} from '../../wire-format';
import { anthropicErrorBody } from './anthropic-errors';
import {
  eventsOf,
  formatMessageEvent,
  isMessage,
  messageOf,
  messageStreamRecord,
  messageUsage,
} from './message-stream';

/** What the proxy needs to read from a Messages request; everything else is passed on untouched. */
const messagesBodySchema = z
  .object({
    model: modelSchema,
    messages: z.array(z.unknown()).min(1, 'messages must not be empty'),
    system: z.union([z.string(), z.array(z.unknown())]).optional(),
    stream: z.boolean().nullable().optional(),
  })
  .passthrough();

const messagesSchema = z.array(chatMessageSchema);

/** Request headers sent upstream as they are: the API version, and beta features (which may change the answer, so they are keyed). */
const FORWARDED_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** `cache_control` never changes an answer: it is left out of the key, so a request with or without it shares its entry. */
function withoutCacheControl(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCacheControl);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, field] of Object.entries(value))
    if (key !== 'cache_control') out[key] = withoutCacheControl(field) as JsonValue;
  return out;
}

/** A content that is one text block is the same prompt as that text as a string (what the key sees). */
function plainContent(content: unknown): unknown {
  if (!Array.isArray(content) || content.length !== 1) return content;
  const [only] = content as unknown[];
  if (
    !isJsonObject(only) ||
    only['type'] !== 'text' ||
    typeof only['text'] !== 'string' ||
    Object.keys(only).length !== 2
  )
    return content;
  return only['text'];
}

/** The conversation in the cache's neutral form: `system` as a leading system turn, breakpoints dropped, single text blocks as strings. */
function neutralTurns(system: unknown, messages: unknown): unknown {
  const turns = (Array.isArray(messages) ? messages : []) as unknown[];
  const all = system === undefined ? turns : [{ role: 'system', content: system }, ...turns];
  return all.map((turn) => {
    const stripped = withoutCacheControl(turn);
    return isJsonObject(stripped) && stripped['content'] !== undefined
      ? { ...stripped, content: plainContent(stripped['content']) }
      : stripped;
  });
}

/**
 * Records an Anthropic Messages stream: named events (`message_start`, `content_block_start`,
 * `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`, `ping`) until
 * `message_stop`; an `error` event or an unreadable one makes it unstorable.
 */
class MessageStreamRecorder implements StreamRecorder {
  private readonly events: JsonObject[] = [];
  complete = false;
  clean = true;

  event(item: SseEvent): StreamFrame | undefined {
    const text = item.event === undefined ? `data: ${item.data}\n\n` : `event: ${item.event}\ndata: ${item.data}\n\n`;
    if (this.complete) return { text, usageOnly: false };
    try {
      const event = JSON.parse(item.data) as unknown;
      if (!isJsonObject(event) || event['type'] === 'error' || item.event === 'error') {
        this.clean = false;
      } else {
        this.events.push(event);
        if (event['type'] === 'message_stop') this.complete = true;
      }
    } catch {
      this.clean = false;
    }
    return { text, usageOnly: false };
  }

  record(): JsonValue {
    return messageStreamRecord(this.events);
  }
}

interface AnthropicMessagesOptions {
  /** Breakpoint injection and its TTL, per namespace. */
  readonly cacheControl: (namespace: string) => { readonly mode: CacheControlMode; readonly ttl: CacheControlTtl };
}

const NO_INJECTION: AnthropicMessagesOptions = { cacheControl: () => ({ mode: 'off', ttl: '5m' }) };

/** `POST /v1/messages` (the Anthropic Messages API). Usage is always part of its streams. */
export function anthropicMessagesFormat(options: AnthropicMessagesOptions = NO_INJECTION): WireFormat {
  return {
    api: 'anthropic',
    endpoint: 'messages',
    path: '/messages',
    doneFrame: '',

    parse(body: unknown, headers: Headers): ParsedRequest {
      const parsed = parseBody(messagesBodySchema, body);
      const forwardHeaders: Record<string, string> = {};
      for (const name of FORWARDED_HEADERS) {
        const value = single(headers[name]);
        if (value !== undefined) forwardHeaders[name] = value;
      }
      return {
        model: parsed.model,
        stream: parsed.stream === true,
        includeUsage: true,
        raw: body as Record<string, unknown>,
        forwardHeaders,
      };
    },

    cacheInput(request: ParsedRequest): CacheInput {
      const { model: _model, messages: raw, system, ...rest } = request.raw;
      const turns = messagesSchema.safeParse(neutralTurns(system, raw));
      if (!turns.success) return { kind: 'bypass', reason: 'unsupported-messages' };
      const params = withoutCacheControl(rest) as Record<string, unknown>;
      const beta = request.forwardHeaders['anthropic-beta'];
      if (beta !== undefined) params['anthropic-beta'] = beta;
      return { kind: 'keyed', messages: turns.data, params };
    },

    upstreamBody(request: ParsedRequest, body: UpstreamBodyOptions): string {
      const { mode, ttl } = options.cacheControl(body.namespace);
      return JSON.stringify(injectCacheControl(request.raw, mode, ttl, request.model).body);
    },

    storableJson: (text: string): JsonValue | undefined => recognisedJson(text, isMessage),

    recorder: () => new MessageStreamRecorder(),

    renderJson(stored: JsonValue): string | undefined {
      const message = messageOf(stored);
      return message === undefined ? undefined : JSON.stringify(message);
    },

    renderSse(stored: JsonValue): string | undefined {
      const events = eventsOf(stored);
      return events === undefined ? undefined : events.map(formatMessageEvent).join('');
    },

    usage: messageUsage,
    errorBody: anthropicErrorBody,
  };
}
