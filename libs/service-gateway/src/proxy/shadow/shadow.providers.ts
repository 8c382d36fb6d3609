import { type Provider } from '@nestjs/common';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import { CACHE_SERVICE, type CacheService, EMBEDDINGS, type Embeddings } from '@strata/contracts';
import { GatewayCache } from '../../cache-api/gateway-cache';
import { AnswerComparator } from './answer-comparator';
import { OpenAiAnswerJudge } from './openai-answer-judge';
import { ShadowAudits } from './shadow-audits';

/** How long an audit result, or the embedding of two answers, may take: it is background work. */
const SHADOW_CALL_TIMEOUT_MS = 5_000;

/** Shadow audits: the comparator (the embedding service; the judge when configured) and the feedback message. */
export const SHADOW_AUDIT_PROVIDERS: Provider[] = [
  {
    provide: ShadowAudits,
    inject: [STRATA_CONFIG, CACHE_SERVICE, GatewayCache, { token: EMBEDDINGS, optional: true }],
    useFactory: (
      config: StrataConfig,
      cacheService: CacheService,
      cache: GatewayCache,
      embeddings: Embeddings | undefined,
    ): ShadowAudits => {
      const { shadow, judge } = config.verification;
      const embed = embeddings
        ? async (texts: string[]) => (await embeddings.embed({ texts }, { timeoutMs: SHADOW_CALL_TIMEOUT_MS })).vectors
        : undefined;
      return new ShadowAudits(
        new AnswerComparator(
          embed,
          judge.url === undefined
            ? undefined
            : new OpenAiAnswerJudge({
                url: judge.url,
                model: judge.model,
                apiKey: judge.apiKey,
                timeoutMs: judge.timeoutMs,
              }),
          shadow.agreement,
        ),
        {
          feedback: (request) => cacheService.feedback(request, { timeoutMs: SHADOW_CALL_TIMEOUT_MS }),
          evictL1: (selector) => void cache.evictL1(selector),
        },
        {
          callsPerSecond: shadow.callsPerSecond,
          concurrency: shadow.concurrency,
          random: Math.random,
          now: Date.now,
        },
      );
    },
  },
];
