import { StrataError, lookupRequestSchema } from '@strata/contracts';
import { z } from 'zod';
import { tightenLookupSchema } from './cache-lookup.http-route';
import { chatBodySchema, messagesSchema } from '../proxy/formats/openai-chat/openai-chat.format';
import { CompiledSchema, TRIMMED_STRING_PATTERN, jsonSchemaOf, untrimmedProperty } from './compiled-schema';
import { parseBody } from './parse-body';

const system = { role: 'system', content: 'You are a helpful assistant.' };
const user = { role: 'user', content: 'How do I return an item?' };

/** Lookup bodies: the ones the API documents and tests use, and one for every rule of the contract broken. */
const LOOKUP_CORPUS: unknown[] = [
  { model: 'gpt-4o-mini', messages: [system, user] },
  { model: 'gpt-4o-mini', messages: [system, user], params: { temperature: 0 } },
  { model: 'gpt-4o-mini', prompt: 'What are your opening hours?' },
  { model: 'gpt-4o-mini', prompt: 'hours', namespace: 'faq', mode: 'exact', threshold: 0.9, explain: true },
  { model: 'gpt-4o-mini', prompt: 'hours', namespace: 'faq.v2:eu-1_a', user: 'u-1', mode: 'semantic' },
  { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url' }] }] },
  { model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 't' }] }, user] },
  {
    model: 'm',
    messages: [
      { role: 'tool', tool_call_id: 't', content: '42' },
      { role: 'user', name: 'ann' },
    ],
  },
  { model: 'm', messages: [{ role: 'developer', content: 'x', extra: { any: ['thing'] } }] },
  { model: 'm', messages: [user], params: { tools: [{ type: 'function' }], response_format: { type: 'json_object' } } },
  { model: 'm', messages: [user], threshold: 0 },
  { model: 'm', messages: [user], threshold: 1 },
  // a model zod trims (accepted, but not as sent) and one that is only whitespace
  { model: ' gpt-4o-mini ', messages: [user] },
  { model: 'gpt-4o-mini\n', prompt: 'x' },
  { model: '   ', prompt: 'x' },
  // broken
  {},
  { messages: [user] },
  { model: '', prompt: 'x' },
  { model: 'm'.repeat(257), prompt: 'x' },
  { model: '😀'.repeat(129), prompt: 'x' }, // 258 UTF-16 code units: over zod's 256 though 129 code points
  { model: '😀'.repeat(128), prompt: 'x' },
  { model: 'm', prompt: '' },
  { model: 'm', messages: [] },
  { model: 'm', messages: [user], prompt: 'x' },
  { model: 'm' },
  { model: 'm', messages: [{ role: 'robot', content: 'x' }] },
  { model: 'm', messages: [{ content: 'x' }] },
  { model: 'm', messages: [{ role: 'user', content: 42 }] },
  { model: 'm', messages: [{ role: 'user', content: [{ text: 'no type' }] }] },
  { model: 'm', messages: [{ role: 'user', content: [{ type: '' }] }] },
  { model: 'm', messages: [{ role: 'user', name: 7 }] },
  { model: 'm', messages: [{ role: 'user', tool_calls: {} }] },
  { model: 'm', messages: ['hello'] },
  { model: 'm', messages: user },
  { model: 'm', prompt: 'x', namespace: '' },
  { model: 'm', prompt: 'x', namespace: '-faq' },
  { model: 'm', prompt: 'x', namespace: 'faq/eu' },
  { model: 'm', prompt: 'x', namespace: 'n'.repeat(129) },
  { model: 'm', prompt: 'x', namespace: 'n'.repeat(128) },
  { model: 'm', prompt: 'x', mode: 'fuzzy' },
  { model: 'm', prompt: 'x', threshold: 1.01 },
  { model: 'm', prompt: 'x', threshold: -0.1 },
  { model: 'm', prompt: 'x', threshold: '0.9' },
  { model: 'm', prompt: 'x', explain: 'yes' },
  { model: 'm', prompt: 'x', params: [] },
  { model: 'm', prompt: 'x', params: 'hot' },
  { model: 'm', prompt: 'x', user: '' },
  { model: 'm', prompt: 'x', user: 'u'.repeat(257) },
  { model: 'm', prompt: 'x', response: 'a lookup has none' },
  { model: 42, prompt: 'x' },
  { model: null, prompt: 'x' },
  { model: 'm', prompt: null },
  { model: 'm', messages: null },
  [],
  'a string',
  null,
];

/** `POST /v1/chat/completions` bodies: what OpenAI clients send (the proxy reads a few fields, passes the rest on). */
const CHAT_CORPUS: unknown[] = [
  { model: 'gpt-4o-mini', messages: [system, user] },
  { model: 'gpt-4o-mini', messages: [user], temperature: 0, stream: true },
  { model: 'gpt-4o-mini', messages: [user], stream: true, stream_options: { include_usage: true } },
  { model: 'gpt-4o-mini', messages: [user], stream: null, stream_options: null },
  { model: 'gpt-4o-mini', messages: [user], stream: false, stream_options: { include_usage: null, other: 1 } },
  { model: 'gpt-4o-mini', messages: [user], tools: [{ type: 'function' }], user: 'u-1', n: 1, seed: 7 },
  { model: 'gpt-4o-mini', messages: ['not a message', 42] },
  { model: ' gpt-4o-mini', messages: [user] },
  { model: '\t', messages: [user] },
  { model: '', messages: [user] },
  { model: 'gpt-4o-mini', messages: [] },
  { model: 'gpt-4o-mini' },
  { messages: [user] },
  { model: 'gpt-4o-mini', messages: [user], stream: 'yes' },
  { model: 'gpt-4o-mini', messages: [user], stream_options: { include_usage: 'yes' } },
  { model: 'gpt-4o-mini', messages: [user], stream_options: [] },
  { model: 'gpt-4o-mini', messages: {} },
  [],
  null,
];

/** Every corpus body, and for each a copy with one field dropped or replaced by a value of another type. */
function mutated(corpus: unknown[]): unknown[] {
  const values: unknown[] = [null, 0, 1.5, -1, '', ' ', 'x', true, [], {}, [{}], { type: 'text' }];
  const out: unknown[] = [...corpus];
  for (const body of corpus) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) continue;
    for (const key of Object.keys(body)) {
      const { [key]: _dropped, ...rest } = body as Record<string, unknown>;
      out.push(rest);
      for (const value of values) out.push({ ...body, [key]: value });
    }
  }
  return out;
}

function zodAnswer(schema: z.ZodTypeAny, body: unknown): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: parseBody(schema, body) };
  } catch (error) {
    return { ok: false, error };
  }
}

describe(CompiledSchema.name, () => {
  describe('the lookup body', () => {
    const compiled = new CompiledSchema(lookupRequestSchema, tightenLookupSchema);
    const corpus = mutated(LOOKUP_CORPUS);

    it('accepts exactly what zod accepts, as zod returns it, over the corpus and its mutations', () => {
      expect(corpus.length).toBeGreaterThan(500);
      let accepted = 0;
      for (const body of corpus) {
        const expected = zodAnswer(lookupRequestSchema, body);
        if (expected.ok) {
          accepted++;
          expect({ body, parsed: compiled.parse(body) }).toEqual({ body, parsed: expected.value });
        } else {
          expect(() => compiled.parse(body)).toThrow(StrataError);
        }
      }
      expect(accepted).toBeGreaterThan(50);
    });

    it("rejects with zod's message and details (the same 400 as before)", () => {
      for (const body of corpus) {
        const expected = zodAnswer(lookupRequestSchema, body);
        if (expected.ok) continue;
        let thrown: unknown;
        try {
          compiled.parse(body);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toEqual(expected.error);
        expect((thrown as StrataError).message).toBe((expected.error as StrataError).message);
      }
    });

    it('returns a valid body as it was sent, without copying it', () => {
      const body = { model: 'gpt-4o-mini', messages: [system, user], params: { temperature: 0 } };
      expect(compiled.parse(body)).toBe(body);
    });
  });

  describe('the chat completions body', () => {
    const compiled = new CompiledSchema(chatBodySchema, untrimmedProperty('model'));

    it('accepts exactly what zod accepts, as zod returns it, and rejects with the same 400', () => {
      let accepted = 0;
      for (const body of mutated(CHAT_CORPUS)) {
        const expected = zodAnswer(chatBodySchema, body);
        if (expected.ok) {
          accepted++;
          expect({ body, parsed: compiled.parse(body) }).toEqual({ body, parsed: expected.value });
        } else {
          expect(() => compiled.parse(body)).toThrow(expected.error as Error);
        }
      }
      expect(accepted).toBeGreaterThan(30);
    });
  });

  describe('the chat messages the cache keys', () => {
    const compiled = new CompiledSchema(messagesSchema);

    it("decides as zod's safeParse over every messages list in the corpora and their mutations", () => {
      const lists = mutated([...LOOKUP_CORPUS, ...CHAT_CORPUS]).flatMap((body) =>
        body !== null && typeof body === 'object' && 'messages' in body ? [body.messages] : [],
      );
      expect(lists.length).toBeGreaterThan(200);
      for (const messages of lists) {
        const expected = messagesSchema.safeParse(messages);
        const actual = compiled.safeParse(messages);
        expect({ messages, success: actual.success }).toEqual({ messages, success: expected.success });
        if (expected.success && actual.success) expect(actual.data).toEqual(expected.data);
      }
    });
  });

  it('refuses a schema it cannot check as zod does (a string format), instead of accepting more', () => {
    expect(() => new CompiledSchema(z.object({ id: z.string().uuid() }))).toThrow(/format/);
  });

  it('derives the JSON Schema that /openapi.json documents for the contract', () => {
    const schema = jsonSchemaOf(lookupRequestSchema);
    expect(schema['required']).toEqual(['model']);
    expect(schema['additionalProperties']).toBe(false);
  });

  it('matches a trimmed string exactly as zod .trim() leaves it unchanged', () => {
    const pattern = new RegExp(TRIMMED_STRING_PATTERN, 'u');
    for (const text of ['a', 'gpt-4o', 'a b', ' a', 'a ', '\ta', 'a\n', '\u00a0a', 'a\u2028', '\ufeffa', '', ' '])
      expect(pattern.test(text)).toBe(text.length > 0 && text.trim() === text);
  });
});
