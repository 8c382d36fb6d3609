import { type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { type StrataConfig } from '@strata/config';
import { AnsweredRequests } from './answered-requests';
import { FeedbackHeader, FeedbackHeaderInterceptor } from './feedback-header.interceptor';
import { FeedbackHttpController } from './feedback.http-controller';
import { HitFeedback } from './hit-feedback';

export const FEEDBACK_CONTROLLERS = [FeedbackHttpController];

/**
 * Feedback on cache answers: the request-id memory, the verdict handling and, when verification is on, the
 * header form (every NestJS route through the interceptor; the hot routes Fastify serves call `FeedbackHeader`).
 * Off, no interceptor is registered and `FeedbackHeader` returns at once: requests pay nothing for it.
 */
export function feedbackProviders(config: StrataConfig): Provider[] {
  return [
    { provide: AnsweredRequests, useValue: new AnsweredRequests(config.verification.rememberedAnswers) },
    HitFeedback,
    FeedbackHeader,
    ...(config.verification.enabled ? [{ provide: APP_INTERCEPTOR, useClass: FeedbackHeaderInterceptor }] : []),
  ];
}
