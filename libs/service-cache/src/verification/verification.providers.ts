import { type Provider } from '@nestjs/common';
import {
  EXACT_STORE,
  type ExactStore,
  FeedbackUseCase,
  HIT_VERDICTS,
  type HitVerdicts,
  SemanticGate,
} from '@strata/cache-core';
import { type StrataConfig, firstMatch } from '@strata/config';
import { L1_EVICTIONS, type L1Evictions } from '@strata/contracts';
import { OpenAiCompatibleJudge } from './openai-compatible-judge';
import { VerificationMetrics } from './verification-metrics';
import { VerificationRequests } from './verification-requests';

/** Passed audits lower an entry's threshold by a tenth of what a wrong hit raises it. */
const LOWER_STEP_SHARE = 0.1;
/** How far below the namespace's threshold passed audits may take one entry's. */
const MAX_LOWERING = 0.05;
/** Similarity bands of a namespace with a wrong-hit target: each is proved (or not) by the judge's verdicts in it. */
const BAND_WIDTH = 0.02;
/** A replica reads a namespace's band counts from the shared verdict store at most this often (its own verdicts at once). */
const BAND_REFRESH_MS = 1_000;

const now = (): number => Date.now();

/**
 * Hit verification in the cache service: the gate (null when `verification.enabled` is off: lookups run as
 * before), the feedback use case and their requests. HIT_VERDICTS is bound by the runtime when enabled; L1_EVICTIONS,
 * when bound, lets a failed audit evict the entry from every gateway's L1.
 */
export function verificationProviders(config: StrataConfig): Provider[] {
  const { verification } = config;
  return [
    VerificationRequests,
    {
      provide: SemanticGate,
      inject: [
        { token: HIT_VERDICTS, optional: true },
        { token: L1_EVICTIONS, optional: true },
      ],
      useFactory: (verdicts: HitVerdicts | undefined, evictions: L1Evictions | undefined): SemanticGate | null => {
        if (!verification.enabled || !verdicts) return null;
        const { judge } = verification;
        return new SemanticGate(
          verdicts,
          judge.url === undefined
            ? undefined
            : new OpenAiCompatibleJudge({ url: judge.url, model: judge.model, apiKey: judge.apiKey }),
          new VerificationMetrics(undefined, firstMatch(Object.entries(config.pricing.models))(judge.model)),
          {
            lowerBound: judge.lowerBound,
            judgeTimeoutMs: judge.timeoutMs,
            judgeCallsPerSecond: judge.callsPerSecond,
            raiseStep: verification.raiseStep,
            lowerStep: verification.raiseStep * LOWER_STEP_SHARE,
            maxLowering: MAX_LOWERING,
            bandWidth: BAND_WIDTH,
            bandRefreshMs: BAND_REFRESH_MS,
            now,
            random: Math.random,
          },
          evictions,
        );
      },
    },
    {
      provide: FeedbackUseCase,
      inject: [EXACT_STORE, { token: HIT_VERDICTS, optional: true }, SemanticGate],
      useFactory: (
        l2: ExactStore,
        verdicts: HitVerdicts | undefined,
        gate: SemanticGate | null,
      ): FeedbackUseCase | null =>
        verification.enabled && verdicts
          ? new FeedbackUseCase(
              l2,
              verdicts,
              {
                wrongsToPurge: verification.wrongsToPurge,
                raiseStep: verification.raiseStep,
                maxLowering: MAX_LOWERING,
                now,
              },
              gate ?? undefined,
            )
          : null,
    },
  ];
}
