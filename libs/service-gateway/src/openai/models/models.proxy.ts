import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { type ClientConnection } from '../http/client-connection';
import { type Caller } from '../http/proxy-access';
import { JSON_CONTENT_TYPE, type ProxyReply } from '../http/proxy-reply';
import { UpstreamClient } from '../upstream/upstream-client';
import { modelPath, modelsUrl } from './model-path';
import { UpstreamRouter, type UpstreamTarget } from '../upstream/upstream-router';

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: passed through to the upstream (the default one for the
 * list, the model's route for one model). With no upstream, the local embedding model is listed.
 */
@Injectable()
export class ModelsProxy {
  private readonly metrics = StrataMetrics.shared();
  private readonly router: UpstreamRouter;

  constructor(
    @Inject(STRATA_CONFIG) private readonly config: StrataConfig,
    private readonly upstream: UpstreamClient,
  ) {
    this.router = new UpstreamRouter(config.upstream);
  }

  list(caller: Caller, connection: ClientConnection): Promise<ProxyReply> {
    const target = this.router.default;
    if (!target) return Promise.resolve(this.localJson({ object: 'list', data: [this.localModel()] }));
    return this.forward(target, '/models', caller, connection);
  }

  /** `id`: the path after `/models/`, decoded once; validated before anything is routed or signed (see `modelPath`). */
  retrieve(id: string, caller: Caller, connection: ClientConnection): Promise<ProxyReply> {
    const path = modelPath(id);
    const target = this.router.route(id);
    if (target) return this.forward(target, path, caller, connection);
    if (id === this.config.embedding.model) return Promise.resolve(this.localJson(this.localModel()));
    throw new StrataError(ErrorCode.NotFound, `no model "${id}"`);
  }

  private async forward(
    target: UpstreamTarget,
    path: string,
    caller: Caller,
    connection: ClientConnection,
  ): Promise<ProxyReply> {
    // The allow-list: a call signed with the operator's key never leaves the upstream's `/models` prefix.
    modelsUrl(target.baseUrl, path);
    this.metrics.proxyRequests.inc({ endpoint: 'models', cache: 'bypass' });
    const exchange = await this.upstream.exchange({
      target,
      endpoint: 'models',
      method: 'GET',
      path,
      credentials: caller.credentials,
      signal: connection.signal(),
    });
    return { kind: 'json', status: exchange.status, headers: exchange.headers, body: exchange.body };
  }

  private localModel(): object {
    return { id: this.config.embedding.model, object: 'model', created: 0, owned_by: 'strata' };
  }

  private localJson(body: object): ProxyReply {
    return { kind: 'json', status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(body) };
  }
}
