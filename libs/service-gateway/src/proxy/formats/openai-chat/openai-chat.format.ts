import { type JsonValue, chatMessageSchema, modelSchema } from '@strata/contracts';
import { type StreamFrame } from '../../../openai/chat/live-stream';
import { DONE_FRAME, errorBody, renderSse } from '../../../openai/http/proxy-reply';
import {
  type JsonObject,
  chunksOf,
  completionOf,
  isChatCompletion,
  isJsonObject,
  isUsageOnlyChunk,
  streamRecord,
  usageOf,
} from '../../../openai/sse/chat-stream';
import { type SseEvent, formatSseEvent } from '../../../openai/sse/sse-parser';
import { z } from 'zod';
import { CompiledSchema, untrimmedProperty } from '../../../http/compiled-schema';
import { promptCacheKey } from '../../prompt-cache/openai-prompt-cache-key';
import {
  type CacheInput,
  type ParsedRequest,
  type StreamRecorder,
  type UpstreamBodyOptions,
  type WireFormat,
  recognisedJson,
} from '../../wire-format';

/** What the proxy needs to read from a chat request; everything else is passed on untouched. */
export const chatBodySchema = z
  .object({
    model: modelSchema,
    messages: z.array(z.unknown()).min(1, 'messages must not be empty'),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().nullable().optional() }).passthrough().nullable().optional(),
  })
  .passthrough();

export const messagesSchema = z.array(chatMessageSchema);

/** Both checked on every request: by validators compiled from the zod schemas, zod only for what they reject. */
const chatBody = new CompiledSchema(chatBodySchema, untrimmedProperty('model'));
const chatMessages = new CompiledSchema(messagesSchema);

/** OpenAI requests send no headers of their own upstream (account headers travel with the credentials). */
const NO_HEADERS: Readonly<Record<string, string>> = {};

/**
 * Records an OpenAI chat stream: `data:` chunks until `[DONE]`; usage-only chunks are flagged (clients
 * that did not ask for usage do not get them); an error chunk or another event type makes it unstorable.
 */
class ChatStreamRecorder implements StreamRecorder {
  private readonly chunks: JsonObject[] = [];
  complete = false;
  clean = true;

  event(item: SseEvent): StreamFrame | undefined {
    if (this.complete) return undefined;
    if (item.data === '[DONE]') {
      this.complete = true;
      return undefined;
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
    return { text: formatSseEvent(item), usageOnly };
  }

  record(): JsonValue {
    return streamRecord(this.chunks);
  }
}

interface OpenAiChatOptions {
  /** Set `prompt_cache_key` (tenant + stable-prefix hash) when the client did not. */
  readonly promptCacheKey: boolean;
}

/** `POST /v1/chat/completions` (OpenAI and every OpenAI-compatible upstream). */
export function openAiChatFormat(options: OpenAiChatOptions = { promptCacheKey: false }): WireFormat {
  return {
    api: 'openai',
    endpoint: 'chat',
    path: '/chat/completions',
    doneFrame: DONE_FRAME,

    parse(body: unknown): ParsedRequest {
      const parsed = chatBody.parse(body);
      const stream = parsed.stream === true;
      return {
        model: parsed.model,
        stream,
        includeUsage: stream && parsed.stream_options?.include_usage === true,
        raw: body as Record<string, unknown>,
        forwardHeaders: NO_HEADERS,
      };
    },

    cacheInput(request: ParsedRequest): CacheInput {
      const { model: _model, messages: raw, ...params } = request.raw;
      const messages = chatMessages.safeParse(raw);
      if (!messages.success) return { kind: 'bypass', reason: 'unsupported-messages' };
      return { kind: 'keyed', messages: messages.data, params };
    },

    upstreamBody(request: ParsedRequest, body: UpstreamBodyOptions): string {
      let out: Record<string, unknown> = request.raw;
      if (request.stream && !request.includeUsage && body.streamUsage) {
        // Streams are asked for their usage chunk so that hits can count the tokens they save.
        const streamOptions = out['stream_options'];
        out = {
          ...out,
          stream_options: { ...(isJsonObject(streamOptions) ? streamOptions : {}), include_usage: true },
        };
      }
      if (options.promptCacheKey && out['prompt_cache_key'] === undefined) {
        const key = promptCacheKey(body.tenant, out);
        if (key !== undefined) out = { ...out, prompt_cache_key: key };
      }
      return JSON.stringify(out);
    },

    storableJson: (text: string): JsonValue | undefined => recognisedJson(text, isChatCompletion),

    recorder: () => new ChatStreamRecorder(),

    renderJson(stored: JsonValue): string | undefined {
      const completion = completionOf(stored);
      return completion === undefined ? undefined : JSON.stringify(completion);
    },

    renderSse(stored: JsonValue, includeUsage: boolean): string | undefined {
      const chunks = chunksOf(stored);
      return chunks === undefined ? undefined : renderSse(chunks, includeUsage);
    },

    usage: usageOf,
    errorBody,
  };
}
