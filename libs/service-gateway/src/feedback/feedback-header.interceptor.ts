import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';
import { from, type Observable, switchMap } from 'rxjs';
import { identityOf } from '../auth/request-identity';
import { FEEDBACK_HEADER, parseFeedbackHeader } from './feedback-header';
import { HitFeedback } from './hit-feedback';
import { httpRequestContext } from '../http/http-request-context';

interface HttpRequestLike {
  /** The request's id (Fastify's `request.id`): the feedback's own calls name it. */
  readonly id: string;
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
 * request itself. Called once the request's access was decided (its identity known): by the interceptor on NestJS
 * routes, and by the hot routes Fastify serves directly.
 */
@Injectable()
export class FeedbackHeader {
  private readonly enabled: boolean;

  constructor(
    private readonly feedback: HitFeedback,
    @Inject(STRATA_CONFIG) config: StrataConfig,
  ) {
    this.enabled = config.verification.enabled;
  }

  /** Applies the request's verdict, if it carries one, and sets the response header; throws the 400 of a malformed one. */
  async apply(request: HttpRequestLike, response: HttpResponseLike): Promise<void> {
    if (!this.enabled) return;
    const raw = request.headers[FEEDBACK_HEADER];
    const identity = identityOf(request);
    if (raw === undefined || identity?.kind !== 'tenant') return;
    const { verdict, target } = parseFeedbackHeader(Array.isArray(raw) ? (raw[0] ?? '') : raw);
    const result = await this.feedback.give(identity.tenant, target, verdict, httpRequestContext(request)).then(
      (outcome) => outcome.action,
      (error: unknown) =>
        error instanceof StrataError && (error.code === ErrorCode.NotFound || error.code === ErrorCode.InvalidRequest)
          ? 'not-found'
          : 'unavailable',
    );
    response.header(FEEDBACK_HEADER, result);
  }
}

/** The header form on every NestJS route (registered only when verification is on). */
@Injectable()
export class FeedbackHeaderInterceptor implements NestInterceptor {
  constructor(private readonly header: FeedbackHeader) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequestLike>();
    if (request.headers[FEEDBACK_HEADER] === undefined) return next.handle();
    return from(this.header.apply(request, http.getResponse<HttpResponseLike>())).pipe(switchMap(() => next.handle()));
  }
}
