import { Inject, Injectable } from '@nestjs/common';
import { FeedbackUseCase, SemanticGate } from '@strata/cache-core';
import {
  CACHE_FEEDBACK_TOPIC,
  type CacheFeedbackReply,
  type CacheStatsReply,
  ErrorCode,
  StrataError,
  cacheFeedbackRequestSchema,
} from '@strata/contracts';
import { parsePayload } from '@strata/transport';
import { CacheRequests } from '../cache-requests';

/** The cache service's hit-verification requests (feedback; the stats' verification part), for both transports. */
@Injectable()
export class VerificationRequests {
  constructor(
    private readonly requests: CacheRequests,
    @Inject(FeedbackUseCase) private readonly feedbackUseCase: FeedbackUseCase | null,
    @Inject(SemanticGate) private readonly gate: SemanticGate | null,
  ) {}

  async feedback(data: unknown): Promise<CacheFeedbackReply> {
    const request = parsePayload(cacheFeedbackRequestSchema, data, CACHE_FEEDBACK_TOPIC);
    if (!this.feedbackUseCase)
      throw new StrataError(ErrorCode.InvalidRequest, 'hit feedback is off (STRATA_HIT_FEEDBACK=true turns it on)');
    return await this.feedbackUseCase.execute(request);
  }

  /** The tiers' counts, with the verification figures of this replica when it verifies hits. */
  async stats(): Promise<CacheStatsReply> {
    const counts = await this.requests.stats();
    return this.gate ? { ...counts, verification: await this.gate.snapshot() } : counts;
  }
}
