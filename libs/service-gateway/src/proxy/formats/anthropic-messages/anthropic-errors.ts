/** Anthropic's error `type` for a status, so the Anthropic SDKs raise the matching error class. */
export function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529 || status === 503) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/**
 * An error of `/v1/messages` in Anthropic's shape, `{"type":"error","error":{"type","message"}}`, with
 * Strata's `code` beside them: `{"type":"error","error":{"type","message","code"}}`.
 */
export function anthropicErrorBody(status: number, code: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message, code } });
}
