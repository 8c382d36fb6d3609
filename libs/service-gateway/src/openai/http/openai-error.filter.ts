import { Catch } from '@nestjs/common';
import { type ErrorBody } from '@strata/contracts';
import { ProxyErrorFilter } from '../../proxy/http/proxy-error.filter';
import { openAiErrorType } from './proxy-reply';

/**
 * Errors of the OpenAI-compatible endpoints: Strata's `{"error":{"code","message"}}` plus OpenAI's
 * `type`, so the `openai` SDKs raise the right error class; `Retry-After` on 429.
 */
@Catch()
export class OpenAiErrorFilter extends ProxyErrorFilter {
  constructor() {
    super('OpenAiProxy');
  }

  protected body(error: ErrorBody['error'], status: number): unknown {
    return { error: { ...error, type: openAiErrorType(status) } };
  }
}
