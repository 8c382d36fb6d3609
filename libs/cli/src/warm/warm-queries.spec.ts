import { UsageError } from '../errors';
import { mostPopular, parseWarmFile } from './warm-queries';

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content }],
  ...extra,
});
const jsonl = (...lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

describe(parseWarmFile.name, () => {
  it('sends the chat request without Strata fields or streaming, at temperature 0 unless the line names one', () => {
    const [plain, hot] = parseWarmFile(
      jsonl(
        chat('a', {
          namespace: 'support',
          tags: ['doc:a'],
          ttl: 60,
          count: 3,
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: 5,
        }),
        chat('b', { temperature: 0.7 }),
      ),
      'q.jsonl',
    );
    expect(plain).toMatchObject({ line: 1, count: 3, namespace: 'support', tags: ['doc:a'], ttl: 60 });
    expect(plain.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'a' }],
      max_tokens: 5,
      temperature: 0,
    });
    expect(hot.body['temperature']).toBe(0.7);
  });

  it('reads OpenAI Batch API lines, their custom_id as the id', () => {
    const [query] = parseWarmFile(
      jsonl({ custom_id: 'q-1', method: 'POST', url: '/v1/chat/completions', body: chat('a'), tags: ['t'] }),
      'batch.jsonl',
    );
    expect(query).toMatchObject({ id: 'q-1', tags: ['t'], body: { model: 'gpt-4o-mini', temperature: 0 } });
  });

  it('adds up the counts of the same request, whatever its key order, and keeps distinct requests apart', () => {
    const queries = parseWarmFile(
      jsonl(
        chat('a', { count: 2 }),
        { messages: [{ content: 'a', role: 'user' }], model: 'gpt-4o-mini', count: 5 },
        chat('a', { namespace: 'other' }),
        '',
        chat('b'),
      ),
      'q.jsonl',
    );
    expect(queries.map((q) => [q.line, q.count])).toEqual([
      [1, 7],
      [3, 1],
      [5, 1],
    ]);
  });

  it('applies the command-line namespace and tags to lines that name none', () => {
    const [a, b] = parseWarmFile(jsonl(chat('a'), chat('b', { namespace: 'own', tags: ['x'] })), 'q.jsonl', {
      namespace: 'default-ns',
      tags: ['warmed'],
    });
    expect([a.namespace, a.tags]).toEqual(['default-ns', ['warmed']]);
    expect([b.namespace, b.tags]).toEqual(['own', ['warmed', 'x']]);
  });

  it('names every bad line in one usage error', () => {
    const text = jsonl(
      chat('fine'),
      'nope',
      { model: 'm' },
      chat('c', { tags: ['a,b'] }),
      { custom_id: 'e', url: '/v1/embeddings', body: {} },
      chat('x', { id: 'dup' }),
      chat('y', { id: 'dup' }),
    );
    let error: unknown;
    try {
      parseWarmFile(text, 'q.jsonl');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain('q.jsonl: 5 invalid lines');
    expect(message).toContain('line 2: not valid JSON');
    expect(message).toContain('line 3: messages');
    expect(message).toContain('line 4: tags.0: tags sent in X-Strata-Tags cannot contain ","');
    expect(message).toContain('line 5: url: only /v1/chat/completions');
    expect(message).toContain('line 7: id "dup" is also line 6, with another request');
  });
});

describe(mostPopular.name, () => {
  it('orders by count, ties in file order, and keeps the top n', () => {
    const queries = parseWarmFile(
      jsonl(chat('a', { count: 1 }), chat('b', { count: 9 }), chat('c', { count: 1 }), chat('d', { count: 4 })),
      'q.jsonl',
    );
    expect(mostPopular(queries).map((q) => q.line)).toEqual([2, 4, 1, 3]);
    expect(mostPopular(queries, 2).map((q) => q.line)).toEqual([2, 4]);
  });
});
