import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { type RequestContext, feedbackRequestSchema } from '@strata/contracts';
import { RouteAccess } from '@strata/observability';
import { TenantId } from '../auth/request-identity';
import { HttpRequestContext } from '../http/http-request-context';
import { parseBody } from '../http/parse-body';
import { type FeedbackOutcome, HitFeedback } from './hit-feedback';

/** `POST /v1/cache/feedback`: a verdict (`wrong` | `right`) on an answer, by entry id or by request id. */
@Controller('v1/cache')
export class FeedbackHttpController {
  constructor(private readonly feedback: HitFeedback) {}

  @Post('feedback')
  @HttpCode(200)
  @RouteAccess('write')
  give(
    @Body() body: unknown,
    @TenantId() tenant: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<FeedbackOutcome> {
    const request = parseBody(feedbackRequestSchema, body);
    const target =
      request.requestId !== undefined
        ? { requestId: request.requestId }
        : { entryId: (request.entryId ?? '').toLowerCase(), query: request.query };
    return this.feedback.give(tenant, target, request.verdict, context);
  }
}
