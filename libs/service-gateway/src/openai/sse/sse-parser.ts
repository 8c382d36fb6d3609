/** One server-sent event (WHATWG HTML §9.2): `data` lines joined by newlines. */
export interface SseEvent {
  readonly kind: 'event';
  readonly data: string;
  /** The `event:` field; absent for the default `message` type (what OpenAI sends). */
  readonly event?: string;
  readonly id?: string;
}

/** A comment line (`: keep-alive`), which some upstreams send to keep idle connections open. */
export interface SseComment {
  readonly kind: 'comment';
  readonly text: string;
}

export type SseItem = SseEvent | SseComment;

/**
 * Incremental `text/event-stream` parser: feed it bytes as they arrive, get every event completed by
 * them. Handles CRLF, CR and LF line ends (also split across chunks), multi-line data, comments and a
 * UTF-8 sequence split across chunks. An event not closed by a blank line when the stream ends is
 * incomplete and is dropped (`end()` reports it).
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;
  private hasFields = false;
  private skipLeadingLf = false;

  push(chunk: Uint8Array): SseItem[] {
    return this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** Flushes the stream's end; `truncated` when it stopped in the middle of an event. */
  end(): { items: SseItem[]; truncated: boolean } {
    const items = this.feed(this.decoder.decode());
    const truncated = this.buffer.length > 0 || this.hasFields;
    this.buffer = '';
    this.reset();
    return { items, truncated };
  }

  private feed(text: string): SseItem[] {
    const items: SseItem[] = [];
    let buffer = this.buffer + text;
    let start = 0;
    if (this.skipLeadingLf && buffer.length > 0) {
      if (buffer.charCodeAt(0) === 10) start = 1;
      this.skipLeadingLf = false;
    }
    for (let i = start; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(buffer.slice(start, i), items);
      if (c === 13) {
        if (i + 1 < buffer.length) {
          if (buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
    this.buffer = buffer;
    return items;
  }

  private line(line: string, items: SseItem[]): void {
    if (line === '') {
      if (this.hasFields) {
        if (this.data.length > 0) {
          items.push({
            kind: 'event',
            data: this.data.join('\n'),
            ...(this.event === undefined ? {} : { event: this.event }),
            ...(this.id === undefined ? {} : { id: this.id }),
          });
        }
        this.reset();
      }
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      items.push({ kind: 'comment', text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    this.hasFields = true;
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        this.id = value;
        break;
      default:
      // `retry` and unknown fields: nothing to keep.
    }
  }

  private reset(): void {
    this.data = [];
    this.event = undefined;
    this.id = undefined;
    this.hasFields = false;
  }
}

/** Serialises an event back to the wire, one `data:` line per line of data. */
export function formatSseEvent(event: {
  readonly data: string;
  readonly event?: string | undefined;
  readonly id?: string | undefined;
}): string {
  let out = '';
  if (event.event !== undefined) out += `event: ${event.event}\n`;
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  if (event.data.indexOf('\n') === -1) return `${out}data: ${event.data}\n\n`;
  for (const line of event.data.split('\n')) out += `data: ${line}\n`;
  return `${out}\n`;
}

export function formatSseComment(text: string): string {
  return `: ${text}\n\n`;
}
