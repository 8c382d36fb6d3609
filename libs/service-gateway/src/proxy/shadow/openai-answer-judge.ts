import { type JudgeAnswer, type JudgeUsage, chatCompletionsEndpoint, parseJudgeVerdict } from '@strata/cache-core';
import { request } from 'undici';
import { type AnswerJudge } from './answer-comparator';

interface OpenAiAnswerJudgeOptions {
  /** The judge's OpenAI-compatible base URL (`verification.judge.url`) or its full `/chat/completions` URL. */
  readonly url: string;
  readonly model: string;
  /** Secret: never logged. */
  readonly apiKey?: string | undefined;
  readonly timeoutMs: number;
}

/** The fixed instruction: two answers to one request, the same facts or not. */
const INSTRUCTION =
  'You audit a response cache. Two answers were given to the same request. Answer whether they say the same: ' +
  'the same facts, numbers, steps and conclusion (wording and formatting may differ). ' +
  'Reply only with JSON {"same": true} or {"same": false}.';

/**
 * The configured judge (`verification.judge`), asked by the gateway whether a shadow call's fresh answer says what the
 * cached one says: temperature 0, a fixed prompt, a JSON answer. A failure, an error status or garbage is no verdict.
 */
export class OpenAiAnswerJudge implements AnswerJudge {
  private readonly url: string;

  constructor(private readonly options: OpenAiAnswerJudgeOptions) {
    this.url = chatCompletionsEndpoint(options.url);
  }

  async same(first: string, second: string): Promise<JudgeAnswer> {
    const body = {
      model: this.options.model,
      temperature: 0,
      max_tokens: 20,
      messages: [
        { role: 'system', content: INSTRUCTION },
        { role: 'user', content: `Answer A:\n${first}\n\nAnswer B:\n${second}` },
      ],
      response_format: { type: 'json_object' },
    };
    try {
      const response = await request(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey === undefined ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        return { same: undefined };
      }
      const reply = (await response.body.json()) as JudgeReply | null;
      const content = reply?.choices?.[0]?.message?.content;
      return { same: parseJudgeVerdict(typeof content === 'string' ? content : undefined), usage: usageOf(reply) };
    } catch {
      return { same: undefined };
    }
  }
}

interface JudgeReply {
  readonly choices?: { message?: { content?: unknown } }[];
  readonly usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

/** The tokens the judge's endpoint reported (both counts whole and non-negative), else none. */
function usageOf(reply: JudgeReply | null): JudgeUsage | undefined {
  const input = reply?.usage?.prompt_tokens;
  const output = reply?.usage?.completion_tokens;
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  return count(input) && count(output) ? { inputTokens: input, outputTokens: output } : undefined;
}
