import {
  type JsonObject,
  assembleCompletion,
  chunksOf,
  completionOf,
  isStreamRecord,
  isUsageOnlyChunk,
  streamRecord,
  synthesiseChunks,
  usageOf,
} from './chat-stream';

const head = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  system_fingerprint: 'fp_1',
};
const usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 };
const delta = (d: JsonObject, finish: string | null = null): JsonObject => ({
  ...head,
  choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }],
});

const textStream: JsonObject[] = [
  delta({ role: 'assistant', content: '', refusal: null }),
  delta({ content: 'Hello' }),
  delta({ content: ' world' }),
  delta({}, 'stop'),
  { ...head, choices: [], usage },
];

const completion: JsonObject = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello world', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage,
  system_fingerprint: 'fp_1',
};

describe(assembleCompletion.name, () => {
  it('rebuilds the completion a non-streaming request gets', () => {
    expect(assembleCompletion(textStream)).toEqual(completion);
  });

  it('joins tool-call arguments by index and keeps ids, names and the finish reason', () => {
    const chunks = [
      delta({ role: 'assistant', content: null }),
      delta({
        tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }],
      }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      delta({
        tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } }],
      }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      delta({}, 'tool_calls'),
    ];
    const choice = (assembleCompletion(chunks)['choices'] as JsonObject[])[0];
    expect(choice['finish_reason']).toBe('tool_calls');
    expect((choice['message'] as JsonObject)['content']).toBeNull();
    expect((choice['message'] as JsonObject)['tool_calls']).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
      { id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } },
    ]);
  });

  it('concatenates other text deltas such as reasoning_content, and joins logprobs', () => {
    const chunks = [
      { ...head, choices: [{ index: 0, delta: { reasoning_content: 'Think' }, logprobs: null, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { reasoning_content: 'ing.' }, logprobs: null, finish_reason: null }] },
      {
        ...head,
        choices: [
          {
            index: 0,
            delta: { content: 'A' },
            logprobs: { content: [{ token: 'A', logprob: -0.1 }] },
            finish_reason: null,
          },
        ],
      },
      {
        ...head,
        choices: [
          {
            index: 0,
            delta: { content: 'B' },
            logprobs: { content: [{ token: 'B', logprob: -0.2 }] },
            finish_reason: 'stop',
          },
        ],
      },
    ];
    const choice = (assembleCompletion(chunks)['choices'] as JsonObject[])[0];
    expect(choice['message']).toMatchObject({ reasoning_content: 'Thinking.', content: 'AB' });
    expect(choice['logprobs']).toEqual({
      content: [
        { token: 'A', logprob: -0.1 },
        { token: 'B', logprob: -0.2 },
      ],
    });
  });
});

describe(synthesiseChunks.name, () => {
  it('streams a completion as role, content, finish and usage chunks with its id', () => {
    const chunks = synthesiseChunks(completion);
    expect(chunks.map((c) => c['choices'])).toEqual([
      [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: 'Hello world' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
      [],
    ]);
    expect(
      chunks.every(
        (c) =>
          c['id'] === 'chatcmpl-1' && c['object'] === 'chat.completion.chunk' && c['system_fingerprint'] === 'fp_1',
      ),
    ).toBe(true);
    expect(chunks[3]['usage']).toEqual(usage);
  });

  it('round-trips through assembly, tool calls included', () => {
    const withTools: JsonObject = {
      ...completion,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
    };
    expect(assembleCompletion(synthesiseChunks(completion))).toEqual(completion);
    expect(assembleCompletion(synthesiseChunks(withTools))).toEqual(withTools);
  });
});

describe('stored answers', () => {
  it('recognises stream records and usage-only chunks', () => {
    expect(isStreamRecord(streamRecord(textStream))).toBe(true);
    expect(isStreamRecord(completion)).toBe(false);
    expect(isUsageOnlyChunk(textStream[4])).toBe(true);
    expect(isUsageOnlyChunk(textStream[1])).toBe(false);
  });

  it('replays a stream record as its own chunks and a completion as synthesised chunks', () => {
    const record = streamRecord(textStream);
    expect(chunksOf(record)).toBe(textStream);
    expect(chunksOf(completion)).toEqual(synthesiseChunks(completion));
    expect(chunksOf({ answer: '30 days' })).toBeUndefined();
  });

  it('serves a completion from either form', () => {
    expect(completionOf(completion)).toBe(completion);
    expect(completionOf(streamRecord(textStream))).toEqual(completion);
    expect(completionOf('just text')).toBeUndefined();
  });

  it('reads token usage from a completion or from the usage chunk of a stream', () => {
    expect(usageOf(completion)).toEqual({ inputTokens: 12, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(usageOf(streamRecord(textStream))).toEqual({
      inputTokens: 12,
      outputTokens: 3,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(usageOf(streamRecord(textStream.slice(0, 4)))).toBeUndefined();
  });
});
