import { type CacheFeedbackReply, type CacheFeedbackRequest, type JsonValue } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { AnswerComparator, type AnswerJudge, normaliseAnswer } from './answer-comparator';
import { answerText } from './answer-text';
import { type ServedSemanticHit, ShadowAudits } from './shadow-audits';

const chat = (content: string | null, extra: Record<string, unknown> = {}): JsonValue => ({
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content, ...extra } }],
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

async function outcomes(): Promise<Record<string, number>> {
  const metric = await StrataMetrics.shared().registry.getSingleMetric('strata_shadow_audits_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels['outcome']), v.value]));
}

function setup(
  options: { random?: number; callsPerSecond?: number; concurrency?: number; comparator?: AnswerComparator } = {},
) {
  const sent: CacheFeedbackRequest[] = [];
  const evicted: unknown[] = [];
  const sut = new ShadowAudits(
    options.comparator ?? new AnswerComparator(undefined, { same: () => Promise.resolve({ same: false }) }, 0.9),
    {
      feedback: (request) => {
        sent.push(request);
        const reply: CacheFeedbackReply = {
          found: true,
          action: request.verdict === 'wrong' ? 'blocked' : 'counted',
          wrong: 0,
          right: 0,
          thresholdRaise: 0,
        };
        return Promise.resolve(reply);
      },
      evictL1: (selector) => void evicted.push(selector),
    },
    {
      callsPerSecond: options.callsPerSecond ?? 100,
      concurrency: options.concurrency ?? 4,
      random: () => options.random ?? 0,
      now: () => 1_000,
    },
  );
  return { sut, sent, evicted };
}

const hit = (fresh: () => Promise<JsonValue>, overrides: Partial<ServedSemanticHit> = {}): ServedSemanticHit => ({
  tenant: 'acme',
  namespace: 'support',
  exactKey: 'key-paraphrase',
  entryId: 'e-1',
  similarity: 0.93,
  auditShare: 1,
  maxWrongHitRate: 0.02,
  keySent: true,
  cached: () => chat('Open Settings, then Reset password.'),
  fresh,
  ...overrides,
});

describe(ShadowAudits.name, () => {
  beforeEach(() => StrataMetrics.shared().registry.resetMetrics());

  it('reports a fresh answer that differs as a failed audit of the pairing, and evicts the entry from L1', async () => {
    const { sut, sent, evicted } = setup();

    sut.served(hit(() => Promise.resolve(chat('Call support to unlock the account.'))));
    await settle();

    expect(sent).toEqual([
      {
        tenant: 'acme',
        entryId: 'e-1',
        verdict: 'wrong',
        exactKey: 'key-paraphrase',
        source: 'audit',
        audit: { namespace: 'support', similarity: 0.93, maxWrongHitRate: 0.02 },
      },
    ]);
    expect(evicted).toEqual([{ tenant: 'acme', tags: ['$entry:e-1'] }]);
    expect(await outcomes()).toEqual({ fail: 1 });
  });

  it("counts the judge's calls and tokens per tenant and namespace, answered or not", async () => {
    let verdict: boolean | undefined = false;
    const judge: AnswerJudge = {
      same: () => Promise.resolve({ same: verdict, usage: { inputTokens: 120, outputTokens: 4 } }),
    };
    const { sut } = setup({ comparator: new AnswerComparator(undefined, judge, 0.9) });

    sut.served(hit(() => Promise.resolve(chat('Call support to unlock the account.'))));
    await settle();
    verdict = undefined;
    sut.served(hit(() => Promise.resolve(chat('Something else.')), { tenant: 'globex' }));
    await settle();
    // Equal texts never reach the judge.
    sut.served(hit(() => Promise.resolve(chat('Open Settings, then Reset password.'))));
    await settle();

    expect(sut.spend()).toEqual([
      { tenant: 'acme', namespace: 'support', calls: 1, inputTokens: 120, outputTokens: 4 },
      { tenant: 'globex', namespace: 'support', calls: 1, inputTokens: 120, outputTokens: 4 },
    ]);
    expect(await outcomes()).toEqual({ fail: 1, skipped: 1, pass: 1 });
  });

  it('passes an answer equal after whitespace and case normalisation, without asking anything else', async () => {
    const judge: AnswerJudge = { same: () => Promise.reject(new Error('not asked')) };
    const { sut, sent } = setup({ comparator: new AnswerComparator(undefined, judge, 0.9) });

    sut.served(hit(() => Promise.resolve(chat('  open settings,\n then RESET password. '))));
    await settle();

    expect(sent.map((s) => s.verdict)).toEqual(['right']);
    expect(await outcomes()).toEqual({ pass: 1 });
  });

  it('never delays the reply: the upstream is called only after served() returned', async () => {
    const { sut } = setup();
    let called = false;

    sut.served(
      hit(() => {
        called = true;
        return Promise.resolve(chat('x'));
      }),
    );

    expect(called).toBe(false);
    await settle();
    expect(called).toBe(true);
  });

  it('samples the audit share, and never the same words (similarity 1)', async () => {
    const { sut, sent } = setup({ random: 0.5 });
    const fresh = jest.fn(() => Promise.resolve(chat('other')));

    sut.served(hit(fresh, { auditShare: 0.4 }));
    sut.served(hit(fresh, { auditShare: 0.6, similarity: 1 }));
    sut.served(hit(fresh, { auditShare: 0.6 }));
    await settle();

    expect(fresh).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(1);
  });

  it("skips sampled hits past the tenant's calls per second, past the concurrency, or with no upstream key", async () => {
    const { sut } = setup({ callsPerSecond: 1 });
    const never = () => new Promise<JsonValue>(() => undefined);

    sut.served(hit(never));
    sut.served(hit(never));
    sut.served(hit(never, { tenant: 'other', keySent: false }));
    const limited = setup({ concurrency: 1 });
    limited.sut.served(hit(never, { tenant: 'a' }));
    limited.sut.served(hit(never, { tenant: 'b' }));
    await settle();

    expect(await outcomes()).toEqual({ skipped: 3 });
  });

  it('skips answers that cannot be compared (tool calls), and counts an upstream error without reporting', async () => {
    const { sut, sent } = setup();

    sut.served(hit(() => Promise.resolve(chat(null, { tool_calls: [{ id: 't', type: 'function' }] }))));
    sut.served(hit(() => Promise.reject(new Error('the upstream answered 500'))));
    await settle();

    expect(sent).toEqual([]);
    expect(await outcomes()).toEqual({ skipped: 1, error: 1 });
  });
});

describe(AnswerComparator.name, () => {
  it('asks the judge when the texts differ and one is configured', async () => {
    const asked: string[][] = [];
    const judge: AnswerJudge = {
      same: (a, b) => {
        asked.push([a, b]);
        return Promise.resolve({ same: true });
      },
    };

    expect(await new AnswerComparator(undefined, judge, 0.9).compare('Paris.', 'The capital is Paris.')).toEqual({
      agree: true,
      by: 'judge',
    });
    expect(asked).toEqual([['Paris.', 'The capital is Paris.']]);
  });

  it("compares the answers' embeddings against the agreement without a judge", async () => {
    const vectors: Record<string, number[]> = { a: [1, 0], near: [0.95, 0.31], far: [0, 1] };
    const embed = (texts: string[]) => Promise.resolve(texts.map((t) => vectors[t] ?? [0, 0]));
    const sut = new AnswerComparator(embed, undefined, 0.9);

    expect(await sut.compare('a', 'near')).toEqual({ agree: true, by: 'embedding' });
    expect(await sut.compare('a', 'far')).toEqual({ agree: false, by: 'embedding' });
    expect(await new AnswerComparator(undefined, undefined, 0.9).compare('a', 'far')).toBeUndefined();
  });

  it('normalises whitespace and case only', () => {
    expect(normaliseAnswer(' A\n\tb  C ')).toBe('a b c');
  });
});

describe('answerText', () => {
  it('reads prose answers of both APIs and refuses tool calls and several choices', () => {
    expect(answerText(chat('hi'))).toBe('hi');
    expect(answerText(chat(null, { tool_calls: [] }))).toBeUndefined();
    expect(answerText({ choices: [] })).toBeUndefined();
    expect(
      answerText({
        type: 'message',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      }),
    ).toBe('ab');
    expect(answerText({ type: 'message', content: [{ type: 'tool_use', id: 't' }] })).toBeUndefined();
  });
});
