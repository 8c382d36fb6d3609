import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { GatewayCache } from '../../cache-api/gateway-cache';
import { CachedProxy } from '../../proxy/cached-proxy';
import { SavingsRecorder } from '../../proxy/cost/savings-recorder';
import { PrefixDiagnostics } from '../../proxy/prompt-cache/prefix-diagnostics';
import { ShadowAudits } from '../../proxy/shadow/shadow-audits';
import { openAiChatFormat } from '../../proxy/formats/openai-chat/openai-chat.format';
import { ProxyStoreQueue } from '../store/proxy-store-queue';
import { UpstreamClient } from '../upstream/upstream-client';
import { UpstreamRouter } from '../upstream/upstream-router';

/** `POST /v1/chat/completions`: the caching proxy in OpenAI's wire format, routed by model (`UPSTREAM_URL`, `upstream.routes`). */
@Injectable()
export class ChatCompletionsProxy extends CachedProxy {
  constructor(
    @Inject(STRATA_CONFIG) config: StrataConfig,
    cache: GatewayCache,
    upstream: UpstreamClient,
    stores: ProxyStoreQueue,
    savings: SavingsRecorder,
    prefixes: PrefixDiagnostics,
    shadow: ShadowAudits,
  ) {
    const router = new UpstreamRouter(config.upstream);
    super(
      openAiChatFormat({ promptCacheKey: config.promptCache.openaiPromptCacheKey }),
      (model) => router.route(model),
      { config, cache, upstream, stores, savings, prefixes, shadow },
    );
  }
}
