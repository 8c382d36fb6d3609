import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import {
  EMBEDDINGS,
  type Embeddings,
  ErrorCode,
  type RequestContext,
  StrataError,
  modelSchema,
} from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { z } from 'zod';
import { parseBody } from '../../http/parse-body';
import { type ClientConnection } from '../http/client-connection';
import { type Caller } from '../http/proxy-access';
import { JSON_CONTENT_TYPE, type ProxyReply } from '../http/proxy-reply';
import { UpstreamClient } from '../upstream/upstream-client';
import { UpstreamRouter } from '../upstream/upstream-router';

/** Texts per message to the embedding service (its contract's limit). */
const SERVICE_BATCH = 256;
/** Inputs per request, as at OpenAI. */
const MAX_INPUTS = 2_048;
/** The first call may load the local model: give the embedding service time. */
const EMBED_TIMEOUT_MS = 60_000;

const embeddingsBodySchema = z
  .object({
    model: modelSchema,
    input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
  })
  .passthrough();

/** Rough token count for `usage` (the local model has no BPE tokenizer): words and punctuation marks. */
export function estimateTokens(text: string): number {
  return text.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu)?.length ?? 0;
}

/** A vector as OpenAI sends it with `encoding_format: base64`: little-endian float32 bytes. */
export function base64Vector(vector: readonly number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

/**
 * `POST /v1/embeddings`. The configured embedding model (`EMBEDDING_MODEL`) is served by Strata's
 * embedding service (which never embeds one text twice) in OpenAI's response format, float or base64;
 * any other model is passed through to its upstream.
 */
@Injectable()
export class EmbeddingsProxy {
  private readonly metrics = StrataMetrics.shared();
  private readonly router: UpstreamRouter;

  constructor(
    @Inject(STRATA_CONFIG) private readonly config: StrataConfig,
    @Inject(EMBEDDINGS) private readonly embeddings: Embeddings,
    private readonly upstream: UpstreamClient,
  ) {
    this.router = new UpstreamRouter(config.upstream);
  }

  async handle(
    input: { readonly caller: Caller; readonly body: unknown; readonly context?: RequestContext },
    connection: ClientConnection,
  ): Promise<ProxyReply> {
    const body = parseBody(embeddingsBodySchema, input.body);
    if (body.model === this.config.embedding.model) return this.local(body, input.context ?? {});
    const target = this.router.route(body.model);
    if (!target)
      throw new StrataError(
        ErrorCode.UpstreamError,
        `no upstream is configured for model "${body.model}" (the local embedding model is "${this.config.embedding.model}")`,
      );
    this.metrics.proxyRequests.inc({ endpoint: 'embeddings', cache: 'bypass' });
    const exchange = await this.upstream.exchange({
      target,
      endpoint: 'embeddings',
      method: 'POST',
      path: '/embeddings',
      body: JSON.stringify(input.body),
      credentials: input.caller.credentials,
      signal: connection.signal(),
      requestId: input.context?.requestId,
    });
    return { kind: 'json', status: exchange.status, headers: exchange.headers, body: exchange.body };
  }

  private async local(body: z.infer<typeof embeddingsBodySchema>, context: RequestContext): Promise<ProxyReply> {
    const texts = typeof body.input === 'string' ? [body.input] : body.input;
    if (texts.length === 0) throw new StrataError(ErrorCode.InvalidRequest, 'input must not be empty');
    if (texts.length > MAX_INPUTS)
      throw new StrataError(ErrorCode.InvalidRequest, `at most ${MAX_INPUTS} inputs per request`);
    const strings: string[] = [];
    texts.forEach((text, i) => {
      if (typeof text !== 'string')
        throw new StrataError(ErrorCode.InvalidRequest, `the local model "${body.model}" takes text, not token arrays`);
      if (text.trim() === '') throw new StrataError(ErrorCode.InvalidRequest, `input[${i}] is empty`);
      if (text.length > this.config.limits.maxTextChars) {
        throw new StrataError(
          ErrorCode.PayloadTooLarge,
          `input[${i}] has ${text.length} characters; the limit is ${this.config.limits.maxTextChars}`,
        );
      }
      strings.push(text);
    });
    this.metrics.proxyRequests.inc({ endpoint: 'embeddings', cache: 'local' });
    const batches: string[][] = [];
    for (let i = 0; i < strings.length; i += SERVICE_BATCH) batches.push(strings.slice(i, i + SERVICE_BATCH));
    const replies = await Promise.all(
      batches.map((batch) =>
        this.embeddings.embed({ texts: batch }, { timeoutMs: EMBED_TIMEOUT_MS, requestId: context.requestId }),
      ),
    );
    const dimensions = replies[0]?.dimensions ?? 0;
    if (body.dimensions !== undefined && body.dimensions !== dimensions) {
      throw new StrataError(
        ErrorCode.InvalidRequest,
        `the local model "${body.model}" has ${dimensions} dimensions; it cannot return ${body.dimensions}`,
      );
    }
    const base64 = body.encoding_format === 'base64';
    const data = replies
      .flatMap((reply) => reply.vectors)
      .map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? base64Vector(vector) : vector }));
    const tokens = strings.reduce((sum, text) => sum + estimateTokens(text), 0);
    return {
      kind: 'json',
      status: 200,
      headers: { 'content-type': JSON_CONTENT_TYPE },
      body: JSON.stringify({
        object: 'list',
        data,
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }),
    };
  }
}
