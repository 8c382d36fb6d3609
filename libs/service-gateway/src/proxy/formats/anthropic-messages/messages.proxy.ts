import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { GatewayCache } from '../../../cache-api/gateway-cache';
import { ProxyStoreQueue } from '../../../openai/store/proxy-store-queue';
import { UpstreamClient } from '../../../openai/upstream/upstream-client';
import { upstreamTarget } from '../../../openai/upstream/upstream-router';
import { CachedProxy } from '../../cached-proxy';
import { SavingsRecorder } from '../../cost/savings-recorder';
import { PrefixDiagnostics } from '../../prompt-cache/prefix-diagnostics';
import { ShadowAudits } from '../../shadow/shadow-audits';
import { type CacheControlMode, type CacheControlTtl } from '../../prompt-cache/cache-control-injection';
import { anthropicMessagesFormat } from './anthropic-messages.format';

/** `POST /v1/messages`: the caching proxy in Anthropic's wire format, to `upstream.anthropic` (key sent as `x-api-key`). */
@Injectable()
export class MessagesProxy extends CachedProxy {
  constructor(
    @Inject(STRATA_CONFIG) config: StrataConfig,
    cache: GatewayCache,
    upstream: UpstreamClient,
    stores: ProxyStoreQueue,
    savings: SavingsRecorder,
    prefixes: PrefixDiagnostics,
    shadow: ShadowAudits,
  ) {
    const target = upstreamTarget(config.upstream.anthropic.url, config.upstream.anthropic.apiKey, 'x-api-key');
    const { cacheControl, cacheControlTtl } = config.promptCache;
    const perNamespace = (namespace: string): { mode: CacheControlMode; ttl: CacheControlTtl } => ({
      mode: cacheControl[namespace] ?? cacheControl['*'] ?? 'off',
      ttl: cacheControlTtl[namespace] ?? cacheControlTtl['*'] ?? '5m',
    });
    super(anthropicMessagesFormat({ cacheControl: perNamespace }), () => target, {
      config,
      cache,
      upstream,
      stores,
      prefixes,
      savings,
      shadow,
    });
  }
}
