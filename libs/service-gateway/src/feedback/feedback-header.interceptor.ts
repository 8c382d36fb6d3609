import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ErrorCode, StrataError } from '@strata/contracts';
import { from, type Observable, switchMap } from 'rxjs';
import { identityOf } from '../auth/request-identity';
import { FEEDBACK_HEADER, parseFeedbackHeader } from './feedback-header';
import { HitFeedback } from './hit-feedback';

interface HttpRequestLike {
  readonly headers: Record<string, string | string[] | undefined>;
}

/** Fastify's reply (the gateway's HTTP adapter). */
interface HttpResponseLike {
  header(name: string, value: string): unknown;
}

/**
 * The header form of feedback, for proxy clients that cannot call `/v1/cache/feedback`: a request carrying
 * `X-Strata-Feedback` applies the verdict before it is handled (so a blocked pairing is already refused for it),
 * and its response says what the verdict did (`X-Strata-Feedback: blocked | purged | counted | not-found |
 * unavailable`). A malformed header is a 400; an unknown target or an unreachable cache service never fails the
 * request itself.
 */
@Injectable()
export class FeedbackHeaderInterceptor implements NestInterceptor {
  constructor(private readonly feedback: HitFeedback) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequestLike>();
    const raw = request.headers[FEEDBACK_HEADER];
    const identity = identityOf(request);
    if (raw === undefined || identity?.kind !== 'tenant') return next.handle();
    const { verdict, target } = parseFeedbackHeader(Array.isArray(raw) ? (raw[0] ?? '') : raw);
    const applied = this.feedback.give(identity.tenant, target, verdict).then(
      (outcome) => outcome.action,
      (error: unknown) =>
        error instanceof StrataError && (error.code === ErrorCode.NotFound || error.code === ErrorCode.InvalidRequest)
          ? 'not-found'
          : 'unavailable',
    );
    return from(applied).pipe(
      switchMap((result) => {
        http.getResponse<HttpResponseLike>().header(FEEDBACK_HEADER, result);
        return next.handle();
      }),
    );
  }
}
