import { type FastifyReply } from 'fastify';
import { noteCacheOutcome } from '../../http/access-note';
import { type ProxyReply } from './proxy-reply';

/**
 * Writes a proxy reply. Whole bodies go through Fastify; streams take over the raw response and write
 * each frame the moment it is available (no buffering), stopping when the client goes away.
 */
export function writeProxyReply(reply: FastifyReply, out: ProxyReply, requestId: string): void {
  noteCacheOutcome(reply.request, out.headers['x-strata-cache'], out.headers['x-strata-tier']);
  if (out.kind === 'json') {
    void reply.status(out.status).headers(out.headers).send(out.body);
    return;
  }
  const res = reply.raw;
  reply.hijack();
  if (res.destroyed) return;
  res.writeHead(out.status, {
    ...out.headers,
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    'x-request-id': requestId,
  });
  // A replayed stream is complete already: headers and every frame leave in one write.
  if (out.source.whole !== undefined) {
    res.end(out.source.whole);
    return;
  }
  res.flushHeaders();
  const stop = out.source.pipe({
    write(text) {
      if (!res.destroyed && !res.writableEnded) res.write(text);
    },
    end() {
      if (!res.destroyed && !res.writableEnded) res.end();
    },
  });
  res.once('close', stop);
}
