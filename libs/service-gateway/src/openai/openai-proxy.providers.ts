import { type Provider, type Type } from '@nestjs/common';
import { ChatCompletionsProxy } from './chat/chat-completions.proxy';
import { SavingsRecorder } from './cost/savings-recorder';
import { EmbeddingsProxy } from './embeddings/embeddings.proxy';
import { OpenAiHttpController } from './http/openai.http-controller';
import { ProxyAccess } from './http/proxy-access';
import { ModelsProxy } from './models/models.proxy';
import { ProxyStoreQueue } from './store/proxy-store-queue';
import { UpstreamClient } from './upstream/upstream-client';

/** The OpenAI-compatible proxy's controllers and providers, registered by the GatewayModule. */
export const OPENAI_PROXY_CONTROLLERS: Type[] = [OpenAiHttpController];

export const OPENAI_PROXY_PROVIDERS: Provider[] = [ProxyAccess, UpstreamClient, ProxyStoreQueue, SavingsRecorder, ChatCompletionsProxy, EmbeddingsProxy, ModelsProxy];
