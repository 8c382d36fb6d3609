import { type LiveStream } from '../chat/live-stream';
import { type JsonObject, isUsageOnlyChunk } from '../sse/chat-stream';

interface FrameSink {
  write(text: string): void;
  end(): void;
}

/** Frames to stream to one client; `pipe` returns how to stop (the client went away). */
export interface FrameSource {
  pipe(sink: FrameSink): () => void;
  /** The whole stream when it is known up front (a replayed hit): written with the headers in one go. */
  readonly whole?: string;
}

/** What an OpenAI-compatible endpoint answers: a whole body, or an SSE stream. */
export type ProxyReply =
  | { readonly kind: 'json'; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | {
      readonly kind: 'sse';
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly source: FrameSource;
    };

export const DONE_FRAME = 'data: [DONE]\n\n';
export const JSON_CONTENT_TYPE = 'application/json';
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** A stored answer's chunks as one SSE text ending with `[DONE]` (the usage chunk only if the client asked). */
export function renderSse(chunks: readonly JsonObject[], includeUsage: boolean): string {
  let text = '';
  for (const chunk of chunks) {
    if (!includeUsage && isUsageOnlyChunk(chunk)) continue;
    text += `data: ${JSON.stringify(chunk)}\n\n`;
  }
  return text + DONE_FRAME;
}

/** A whole SSE text, written at once. */
export function staticFrames(text: string): FrameSource {
  return {
    whole: text,
    pipe(sink) {
      sink.write(text);
      sink.end();
      return () => undefined;
    },
  };
}

/**
 * An upstream stream as it arrives (the frames so far first for a late joiner), ended with `doneFrame`
 * if the upstream completed it (OpenAI's `[DONE]`; '' for APIs whose terminal event is forwarded as it is).
 */
export function liveFrames(stream: LiveStream, includeUsage: boolean, doneFrame = DONE_FRAME): FrameSource {
  return {
    pipe(sink) {
      return stream.subscribe({
        frame(frame) {
          if (includeUsage || !frame.usageOnly) sink.write(frame.text);
        },
        end(done) {
          if (done && doneFrame !== '') sink.write(doneFrame);
          sink.end();
        },
      });
    },
  };
}

/** An error in the shape both Strata clients and the `openai` SDK read: `{"error":{"code","message","type"}}`. */
export function errorBody(status: number, code: string, message: string): string {
  return JSON.stringify({ error: { code, message, type: openAiErrorType(status) } });
}

/** OpenAI's error `type` for a status. */
export function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
