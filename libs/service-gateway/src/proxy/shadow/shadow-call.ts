import { type JsonValue } from '@strata/contracts';
import { type ClientCredentials, type UpstreamPort } from '../../openai/upstream/upstream-client';
import { type UpstreamTarget } from '../../openai/upstream/upstream-router';
import { type ParsedRequest, type UpstreamBodyOptions, type WireFormat } from '../wire-format';
import { type TokenUsage } from '../token-usage';

export interface ShadowCall {
  readonly format: Pick<WireFormat, 'endpoint' | 'path' | 'upstreamBody' | 'storableJson' | 'usage'>;
  readonly target: UpstreamTarget;
  readonly request: ParsedRequest;
  readonly body: UpstreamBodyOptions;
  readonly credentials: ClientCredentials;
  /** Its tokens, counted like any upstream call's (a shadow audit costs a full answer). */
  readonly usage: (usage: TokenUsage) => void;
}

/**
 * The client's request asked of the upstream once more, non-streaming and never retried (the first target only, the
 * upstream timeout): its complete answer body. An error status or an answer that is not a complete one rejects.
 */
export async function shadowCall(upstream: UpstreamPort, call: ShadowCall): Promise<JsonValue> {
  const { format, request } = call;
  // Not streamed: the answer is compared whole (stream_options is valid only on streams).
  const { stream_options: _streamOptions, ...raw } = request.raw;
  const nonStreaming: ParsedRequest = {
    ...request,
    stream: false,
    includeUsage: false,
    raw: { ...raw, stream: false },
  };
  const started = process.hrtime.bigint();
  const response = await upstream.open({
    target: call.target,
    endpoint: format.endpoint,
    method: 'POST',
    path: format.path,
    body: format.upstreamBody(nonStreaming, { ...call.body, streamUsage: false }),
    stream: false,
    credentials: call.credentials,
    headers: request.forwardHeaders,
    signal: AbortSignal.timeout(upstream.timeoutMs),
  });
  if (response.status !== 200) {
    response.discard();
    upstream.observe(format.endpoint, started, `${Math.floor(response.status / 100)}xx`);
    throw new Error(`the upstream answered ${response.status}`);
  }
  const answer = format.storableJson(await response.text());
  upstream.observe(format.endpoint, started, '2xx');
  if (answer === undefined) throw new Error('the upstream answer is not a complete one');
  const usage = format.usage(answer);
  if (usage) call.usage(usage);
  return answer;
}
