import { Catch } from '@nestjs/common';
import { type ErrorBody } from '@strata/contracts';
import { anthropicErrorType } from '../formats/anthropic-messages/anthropic-errors';
import { ProxyErrorFilter } from './proxy-error.filter';

/**
 * Errors of `/v1/messages` in Anthropic's shape, so the Anthropic SDKs raise the right error class:
 * `{"type":"error","error":{"type","message","code"}}` (`code`: Strata's error code); `Retry-After` on 429.
 */
@Catch()
export class AnthropicErrorFilter extends ProxyErrorFilter {
  constructor() {
    super('AnthropicProxy');
  }

  protected body(error: ErrorBody['error'], status: number): unknown {
    return { type: 'error', error: { ...error, type: anthropicErrorType(status) } };
  }
}
