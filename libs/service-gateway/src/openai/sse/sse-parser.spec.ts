import { SseParser, formatSseComment, formatSseEvent } from './sse-parser';

const bytes = (text: string) => new TextEncoder().encode(text);

describe(SseParser.name, () => {
  it('emits each event once its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('data: {"a":1}\n'))).toEqual([]);
    expect(parser.push(bytes('\ndata: [DONE]\n\n'))).toEqual([
      { kind: 'event', data: '{"a":1}' },
      { kind: 'event', data: '[DONE]' },
    ]);
    expect(parser.end()).toEqual({ items: [], truncated: false });
  });

  it('handles CRLF and CR line ends, also split between chunks', () => {
    const parser = new SseParser();
    const items = [...parser.push(bytes('data: one\r')), ...parser.push(bytes('\n\r\ndata: two\r\r'))];
    expect(items).toEqual([
      { kind: 'event', data: 'one' },
      { kind: 'event', data: 'two' },
    ]);
  });

  it('joins multi-line data, keeps the event name and id, and strips one leading space only', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('event: error\nid: 7\ndata:  x\ndata:y\n\n'))).toEqual([
      { kind: 'event', event: 'error', id: '7', data: ' x\ny' },
    ]);
  });

  it('reports comments and ignores retry and unknown fields', () => {
    const parser = new SseParser();
    expect(parser.push(bytes(': keep-alive\nretry: 10\nfoo: bar\n\ndata: x\n\n'))).toEqual([
      { kind: 'comment', text: 'keep-alive' },
      { kind: 'event', data: 'x' },
    ]);
  });

  it('decodes a UTF-8 character split across chunks', () => {
    const parser = new SseParser();
    const encoded = bytes('data: é\n\n');
    expect([...parser.push(encoded.slice(0, 7)), ...parser.push(encoded.slice(7))]).toEqual([
      { kind: 'event', data: 'é' },
    ]);
  });

  it('reports a stream that ends in the middle of an event as truncated, without emitting it', () => {
    const parser = new SseParser();
    parser.push(bytes('data: {"partial":'));
    expect(parser.end()).toEqual({ items: [], truncated: true });
  });

  it('reports a stream whose last event lacks its blank line as truncated', () => {
    const parser = new SseParser();
    parser.push(bytes('data: x\n'));
    expect(parser.end().truncated).toBe(true);
  });
});

describe(formatSseEvent.name, () => {
  it('writes what the parser reads back', () => {
    const event = { data: 'a\nb', event: 'delta', id: '3' };
    const parser = new SseParser();
    expect(parser.push(bytes(formatSseEvent(event)))).toEqual([{ kind: 'event', ...event }]);
    expect(formatSseEvent({ data: '{"x":1}' })).toBe('data: {"x":1}\n\n');
    expect(formatSseComment('ping')).toBe(': ping\n\n');
  });
});
