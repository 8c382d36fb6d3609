import {
  ErrorCode,
  type StrataError,
  cacheLookupRequestSchema,
  cacheStoreRequestSchema,
  cacheTicketRequestSchema,
  embedRequestSchema,
  jsonValueSchema,
} from '@strata/contracts';
import { z, type ZodTypeAny } from 'zod';
import { compiledContract } from './compiled-contract';
import { parsePayload } from './parse-payload';

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
  for (const key of ['threshold', 'verification', 'ticket', 'budgetMs', 'extra', '__proto__'])
    for (const value of ODD_VALUES) out.push({ ...valid, [key]: value });
  out.push(JSON.parse(`{"__proto__":{"x":1},"tenant":"t"}`) as Record<string, unknown>);
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

  it('does not compile a schema that transforms or refines what it reads', () => {
    const transforming: ZodTypeAny[] = [
      z.object({ a: z.string().trim() }),
      z.object({ a: z.string().toLowerCase() }),
      z.object({ a: z.number().default(1) }),
      z.object({ a: z.string() }).passthrough(),
      z.object({ a: z.string() }).strict(),
      z.object({ a: z.array(z.string()).readonly() }),
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
