import { type JsonObject } from '../../../openai/sse/chat-stream';
import {
  assembleMessage,
  eventsOf,
  messageOf,
  messageStreamRecord,
  messageUsage,
  synthesiseEvents,
} from './message-stream';

const message: JsonObject = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4',
  content: [
    { type: 'thinking', thinking: 'The user wants the weather.', signature: 'sig-1' },
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris', days: 2 } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 2048, output_tokens: 40 },
};

describe(synthesiseEvents.name, () => {
  it('streams a message as Anthropic does: start, one start/delta/stop per block, message_delta, message_stop', () => {
    const events = synthesiseEvents(message);
    expect(events.map((e) => e['type'])).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]).toMatchObject({ message: { id: 'msg_1', content: [], stop_reason: null } });
    expect(events[9]).toEqual({
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: '{"city":"Paris","days":2}' },
    });
    expect(events[11]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 40 } });
  });

  it('round-trips through assembly: thinking, text and tool input included', () => {
    expect(assembleMessage(synthesiseEvents(message))).toEqual(message);
  });
});

describe(assembleMessage.name, () => {
  it('joins text deltas, parses tool input JSON given in pieces, and takes the final usage from message_delta', () => {
    const events: JsonObject[] = [
      {
        type: 'message_start',
        message: {
          id: 'm',
          type: 'message',
          role: 'assistant',
          model: 'x',
          content: [],
          stop_reason: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't', name: 'f', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ];
    expect(assembleMessage(events)).toEqual({
      id: 'm',
      type: 'message',
      role: 'assistant',
      model: 'x',
      content: [
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 9 },
    });
  });
});

describe('stored Messages answers', () => {
  it('replay a stream record as its own events and a message as synthesised events', () => {
    const events = synthesiseEvents(message);
    expect(eventsOf(messageStreamRecord(events))).toBe(events);
    expect(eventsOf(message)).toEqual(events);
    expect(messageOf(messageStreamRecord(events))).toEqual(message);
    expect(eventsOf({ object: 'chat.completion', choices: [] })).toBeUndefined();
  });

  it('count the whole input: uncached, read from and written to the prompt cache', () => {
    expect(messageUsage(message)).toEqual({
      inputTokens: 12 + 2048,
      outputTokens: 40,
      cacheReadTokens: 2048,
      cacheWriteTokens: 0,
    });
    expect(messageUsage(messageStreamRecord(synthesiseEvents(message)))).toEqual(messageUsage(message));
  });
});
