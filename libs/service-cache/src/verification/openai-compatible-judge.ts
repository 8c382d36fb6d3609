import {
  type JudgeAnswer,
  type JudgeQuestion,
  type JudgeUsage,
  type MatchJudge,
  chatCompletionsEndpoint,
  parseJudgeVerdict,
} from '@strata/cache-core';
import { request } from 'undici';
import { z } from 'zod';

interface OpenAiCompatibleJudgeOptions {
  /** Base URL (`https://api.openai.com/v1`, `http://vllm:8000/v1`, `http://ollama:11434`) or the full `/chat/completions` URL. */
  readonly url: string;
  readonly model: string;
  /** Secret: never logged. */
  readonly apiKey?: string | undefined;
}

/** The fixed instruction: short, so the judge's answer costs a few tokens. */
const JUDGE_INSTRUCTION =
  'You check a response cache. Two user requests were made in the same conversation context. ' +
  'Answer whether one answer would correctly serve both: same intent, same entities, same constraints. ' +
  'Reply only with JSON {"same": true} or {"same": false}.';

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z
    .object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0) })
    .optional()
    .catch(undefined),
});

/**
 * The model judge over any OpenAI-compatible chat endpoint (undici): temperature 0, a fixed short prompt,
 * a JSON-schema response format. A failed call, an error status, a late or a malformed answer is no verdict.
 * The reply's `usage` (prompt and completion tokens) is passed on, so judge calls can be priced.
 */
export class OpenAiCompatibleJudge implements MatchJudge {
  private readonly endpoint: string;

  constructor(private readonly options: OpenAiCompatibleJudgeOptions) {
    this.endpoint = chatCompletionsEndpoint(options.url);
  }

  async judge(question: JudgeQuestion, signal: AbortSignal): Promise<JudgeAnswer> {
    const body = {
      model: this.options.model,
      temperature: 0,
      max_tokens: 20,
      messages: [
        { role: 'system', content: JUDGE_INSTRUCTION },
        { role: 'user', content: `Request A:\n${question.query}\n\nRequest B:\n${question.candidate}` },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'same_answer',
          strict: true,
          schema: {
            type: 'object',
            properties: { same: { type: 'boolean' } },
            required: ['same'],
            additionalProperties: false,
          },
        },
      },
    };
    try {
      const response = await request(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey === undefined ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
        },
        body: JSON.stringify(body),
        signal,
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        return { same: undefined };
      }
      const parsed = completionSchema.safeParse(await response.body.json());
      if (!parsed.success) return { same: undefined };
      const { choices, usage } = parsed.data;
      const used: JudgeUsage | undefined =
        usage === undefined ? undefined : { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
      return { same: parseJudgeVerdict(choices[0]?.message.content ?? null), usage: used };
    } catch {
      return { same: undefined };
    }
  }
}
