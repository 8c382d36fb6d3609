import { type StrataConfig } from '@strata/config';
import { type ChatMessage, ErrorCode, StrataError } from '@strata/contracts';
import { contentText } from '@strata/cache-core';

type Limits = StrataConfig['limits'];

function tooLarge(message: string): StrataError {
  return new StrataError(ErrorCode.PayloadTooLarge, message);
}

/** Documented request limits (README, "Limits"); a request over one gets 413 before any work is done. */
export function enforceLimits(
  limits: Limits,
  request: { messages?: ChatMessage[]; prompt?: string; tags?: string[] },
): void {
  if (request.prompt !== undefined && request.prompt.length > limits.maxTextChars) {
    throw tooLarge(`prompt is ${request.prompt.length} characters; the limit is ${limits.maxTextChars}`);
  }
  if (request.messages) {
    if (request.messages.length > limits.maxMessages) {
      throw tooLarge(`${request.messages.length} messages; the limit is ${limits.maxMessages}`);
    }
    request.messages.forEach((message, i) => {
      const text = contentText(message.content);
      if (text !== undefined && text.length > limits.maxTextChars) {
        throw tooLarge(`messages[${i}] has ${text.length} characters of text; the limit is ${limits.maxTextChars}`);
      }
    });
  }
  if (request.tags) {
    if (request.tags.length > limits.maxTags)
      throw tooLarge(`${request.tags.length} tags; the limit is ${limits.maxTags}`);
    for (const tag of request.tags) {
      if (tag.length > limits.maxTagChars)
        throw tooLarge(`a tag has ${tag.length} characters; the limit is ${limits.maxTagChars}`);
    }
  }
}
