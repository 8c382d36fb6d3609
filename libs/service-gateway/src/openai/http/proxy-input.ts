import { type FastifyRequest } from 'fastify';
import { type ReplayCapture } from '../../http/replay/replay-capture';
import { httpRequestContext } from '../../http/http-request-context';
import { parseProxyControls } from '../controls/proxy-controls';
import { type Caller } from './proxy-access';

/**
 * What a proxy route hands its API's proxy: the caller, the request as sent (body, headers, the cache controls they
 * carry), where an L1 hit is recorded for the front door to replay, and the request's id for the calls it causes.
 */
export function proxyInput(request: FastifyRequest, caller: Caller, capture: ReplayCapture | undefined) {
  return {
    caller,
    body: request.body,
    headers: request.headers,
    controls: parseProxyControls(request.headers),
    capture,
    context: httpRequestContext(request),
  };
}
