import {
  ErrorCode,
  type StrataError,
  cacheLookupReplySchema,
  cacheLookupRequestSchema,
  cacheStoreRequestSchema,
  cacheTicketRequestSchema,
  embedRequestSchema,
  jsonValueSchema,
} from '@strata/contracts';
import { z, type ZodTypeAny } from 'zod';
import { compiledContract } from './compiled-contract';
import { parsePayload } from './parse-payload';
import { parseReply } from './parse-reply';

const HEX = 'ab'.repeat(32);

/** Values a member may hold, JSON and not: every one is tried in every member of every message below. */
const ODD_VALUES: readonly unknown[] = [
  undefined,
  null,
  Number.NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  -1,
  0.5,
  1,
  1.5,
  2 ** 53,
  600_001,
  '',
  ' ',
  'x',
  'é',
  '\u{1F600}',
  'A'.repeat(64),
  'a'.repeat(63),
  'a'.repeat(65),
  `${'a'.repeat(64)}\n`,
  'g'.repeat(64),
  HEX,
  'exact',
  'semantic',
  'inline',
  'shadow',
  true,
  false,
  [],
  [''],
  ['tag'],
  [1],
  [undefined],
  {},
  { judge: 'inline' },
  { judge: 'inline', extra: 1 },
  { auditShare: 2 },
  new Date(0),
  new Map(),
  new Set(),
  Object.create(null) as object,
  { then: () => undefined, catch: () => undefined },
];

const HOT_MESSAGES: readonly { name: string; schema: ZodTypeAny; valid: readonly Record<string, unknown>[] }[] = [
  {
    name: 'cache lookup',
    schema: cacheLookupRequestSchema,
    valid: [
      {
        tenant: 't',
        namespace: 'default',
        model: 'gpt-4o-mini',
        exactKey: HEX,
        contextHash: HEX,
        query: 'q',
        mode: 'auto',
      },
      {
        tenant: 'acme',
        namespace: 'support',
        model: 'm',
        exactKey: HEX,
        contextHash: HEX,
        query: '',
        mode: 'exact',
        threshold: 0.9,
        namespaceThreshold: 0.92,
        explain: true,
        budgetMs: 1_000,
        verification: { judge: 'learn', maxWrongHitRate: 0.01, auditShare: 0.1, audit: 'shadow' },
      },
    ],
  },
  {
    name: 'cache store',
    schema: cacheStoreRequestSchema,
    valid: [
      {
        tenant: 't',
        namespace: 'default',
        namespaceVersion: 1,
        model: 'gpt-4o-mini',
        exactKey: HEX,
        contextHash: HEX,
        query: 'q',
        response: { id: 'c-1', choices: [{ message: { role: 'assistant', content: 'hi' } }] },
        tags: ['a', 'b'],
        ttlSeconds: 3_600,
        storedAt: 1_700_000_000_000,
        ticket: 0,
      },
      {
        tenant: 't',
        namespace: 'n',
        namespaceVersion: 3,
        model: 'm',
        exactKey: HEX,
        contextHash: HEX,
        query: 'q',
        response: null,
        tags: [],
        ttlSeconds: 1,
        storedAt: -5.5,
      },
    ],
  },
  {
    name: 'cache lookup reply',
    schema: cacheLookupReplySchema,
    valid: [
      { hit: false },
      { hit: false, ticket: 3, semantic: 'busy', late: true },
      {
        hit: true,
        tier: 'l2',
        entry: {
          id: 'e-1',
          tenant: 't',
          namespace: 'default',
          namespaceVersion: 1,
          model: 'gpt-4o-mini',
          exactKey: HEX,
          contextHash: HEX,
          query: 'q',
          response: { id: 'c-1', choices: [{ message: { role: 'assistant', content: 'hi' } }] },
          tags: ['a'],
          createdAt: 1_700_000_000_000,
          expiresAt: 1_700_003_600_000,
          generation: 0,
        },
      },
      {
        hit: true,
        tier: 'l3',
        entry: {
          id: 'e-2',
          tenant: 't',
          namespace: 'n',
          namespaceVersion: 2,
          model: 'm',
          exactKey: HEX,
          contextHash: HEX,
          query: 'q',
          response: null,
          tags: [],
          createdAt: 0,
          expiresAt: 1,
          aliasOf: 'e-1',
        },
        similarity: 0.97,
        backfilled: true,
        verified: false,
        explain: {
          threshold: 0.9,
          margin: 0.02,
          candidates: [
            {
              id: 'e-1',
              query: 'q',
              cosine: 0.97,
              similarity: 0.97,
              accepted: true,
              reason: 'match',
              evidence: { words: 1, 'other words': 0.5 },
            },
          ],
          chosen: 'e-1',
        },
      },
    ],
  },
  { name: 'embed', schema: embedRequestSchema, valid: [{ texts: ['a question'] }, { texts: ['a', ''], budgetMs: 5 }] },
  { name: 'ticket', schema: cacheTicketRequestSchema, valid: [{ tenant: 't' }] },
];

/** Each valid message, and every variant of it with one member missing, replaced by an odd value, or added. */
function variants(valid: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [valid];
  for (const key of Object.keys(valid)) {
    const { [key]: _dropped, ...rest } = valid;
    out.push(rest);
    for (const value of ODD_VALUES) out.push({ ...valid, [key]: value });
  }
  for (const key of ['threshold', 'verification', 'ticket', 'budgetMs', 'hit', 'extra', '__proto__'])
    for (const value of ODD_VALUES) out.push({ ...valid, [key]: value });
  out.push(JSON.parse(`{"__proto__":{"x":1},"tenant":"t"}`) as Record<string, unknown>);
  // A member's own members too (a hit's entry, its explanation's candidates and their evidence).
  for (const [key, member] of Object.entries(valid)) {
    if (member === null || typeof member !== 'object' || Array.isArray(member)) continue;
    for (const inner of variants(member as Record<string, unknown>)) out.push({ ...valid, [key]: inner });
  }
  const candidates = (valid['explain'] as { candidates?: Record<string, unknown>[] } | undefined)?.candidates;
  for (const candidate of candidates ?? [])
    for (const inner of variants(candidate))
      out.push({ ...valid, explain: { ...(valid['explain'] as object), candidates: [inner] } });
  const evidence = JSON.parse('{"__proto__":1,"a":2}') as unknown;
  for (const odd of [evidence, { a: Infinity }, { a: 'x' }, []])
    out.push({ ...valid, explain: { threshold: 0.9, margin: 0, candidates: [{ ...candidates?.[0], evidence: odd }] } });
  return out;
}

describe(compiledContract.name, () => {
  describe.each(HOT_MESSAGES)('the $name message', ({ schema, valid }) => {
    it('is compiled, and accepts its valid messages', () => {
      const accepts = compiledContract(schema);
      expect(accepts).not.toBeNull();
      for (const message of valid) expect(accepts?.(message)).toBe(true);
    });

    it('accepts only what zod accepts and gives back unchanged', () => {
      const accepts = compiledContract(schema);
      let accepted = 0;
      let refused = 0;
      for (const message of valid.flatMap(variants)) {
        const parsed = schema.safeParse(message);
        if (accepts?.(message) === true) {
          accepted++;
          expect(parsed.success).toBe(true);
          // The same members with the same values: using the message as it is equals using zod's copy of it.
          expect(parsed.data).toStrictEqual(message);
        } else if (!parsed.success) refused++;
      }
      // Not vacuous: the corpus has both kinds.
      expect(accepted).toBeGreaterThan(valid.length);
      expect(refused).toBeGreaterThan(10);
    });
  });

  it('refuses members zod would strip, numbers zod refuses and objects zod does not take as objects', () => {
    const accepts = compiledContract(cacheLookupRequestSchema);
    const [valid] = HOT_MESSAGES[0]?.valid ?? [];
    expect(accepts?.({ ...valid, extra: 1 })).toBe(false);
    expect(accepts?.({ ...valid, threshold: Number.NaN })).toBe(false);
    expect(accepts?.({ ...valid, verification: new Date(0) })).toBe(false);
    expect(accepts?.({ ...valid, verification: { judge: 'inline', extra: true } })).toBe(false);
  });

  it('accepts a readonly member as it is (zod would give back a frozen copy of the same values)', () => {
    const schema = z.object({ a: z.array(z.string()).readonly() });
    const message = { a: ['x'] };
    expect(compiledContract(schema)?.(message)).toBe(true);
    expect(schema.parse(message)).toStrictEqual(message);
  });

  it("takes a discriminated union's option by its discriminator, and leaves a record's __proto__ member to zod", () => {
    const union = z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('a'), n: z.number() }),
      z.object({ kind: z.literal('b'), s: z.string() }),
    ]);
    const accepts = compiledContract(union);
    expect(accepts?.({ kind: 'a', n: 1 })).toBe(true);
    expect(accepts?.({ kind: 'b', s: 'x' })).toBe(true);
    expect(accepts?.({ kind: 'a', s: 'x' })).toBe(false);
    expect(accepts?.({ kind: 'c' })).toBe(false);
    const record = compiledContract(z.object({ r: z.record(z.number()) }));
    expect(record?.({ r: { a: 1 } })).toBe(true);
    expect(record?.({ r: JSON.parse('{"__proto__":1}') as unknown })).toBe(false);
    // An option whose discriminator may be missing is zod's.
    expect(
      compiledContract(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('a').optional() }),
          z.object({ kind: z.literal('b') }),
        ]),
      ),
    ).toBeNull();
  });

  it('does not compile a schema that transforms or refines what it reads', () => {
    const transforming: ZodTypeAny[] = [
      z.object({ a: z.string().trim() }),
      z.object({ a: z.string().toLowerCase() }),
      z.object({ a: z.number().default(1) }),
      z.object({ a: z.string() }).passthrough(),
      z.object({ a: z.string() }).strict(),
      z.object({ a: z.string().refine((s) => s !== 'x') }),
      z.object({ a: z.coerce.number() }),
      z.object({ a: z.string().regex(/^a$/i) }),
      z.object({ a: z.union([z.string(), z.number()]) }),
      z.object({ a: z.number().multipleOf(0.1) }),
      z.object({ a: z.array(jsonValueSchema) }),
      z.object({ a: z.string().email() }),
    ];
    for (const schema of transforming) expect(compiledContract(schema)).toBeNull();
  });
});

describe(parsePayload.name, () => {
  it('returns an accepted message as it is, and zod parses the rest', () => {
    const message = { texts: ['a'] };
    expect(parsePayload(embedRequestSchema, message, 'topic')).toBe(message);
    const extra = { texts: ['a'], extra: 1 };
    expect(parsePayload(embedRequestSchema, extra, 'topic')).toStrictEqual({ texts: ['a'] });
  });

  it("refuses a bad message with zod's issues", () => {
    let error: StrataError | undefined;
    try {
      parsePayload(embedRequestSchema, { texts: [] }, 'strata.embedding.embed.v1');
    } catch (caught) {
      error = caught as StrataError;
    }
    expect(error?.code).toBe(ErrorCode.InvalidMessage);
    expect(error?.message).toMatch(/^strata\.embedding\.embed\.v1: texts: /);
  });
});

describe(parseReply.name, () => {
  it('returns an accepted reply as it is, zod parses the rest, and a bad one is invalid_reply', () => {
    const reply = { hit: false, ticket: 2 };
    expect(parseReply(cacheLookupReplySchema, reply, 'topic')).toBe(reply);
    expect(parseReply(cacheLookupReplySchema, { hit: false, extra: 1 }, 'topic')).toStrictEqual({ hit: false });
    let error: StrataError | undefined;
    try {
      parseReply(cacheLookupReplySchema, { hit: true, tier: 'l2' }, 'strata.cache.lookup.v1');
    } catch (caught) {
      error = caught as StrataError;
    }
    expect(error?.code).toBe(ErrorCode.InvalidReply);
    expect(error?.message).toMatch(/^malformed reply to strata\.cache\.lookup\.v1: entry: /);
  });
});
