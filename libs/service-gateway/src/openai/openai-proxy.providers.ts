import { type Provider, type Type } from '@nestjs/common';
import { ChatCompletionsProxy } from './chat/chat-completions.proxy';
import { SavingsRecorder } from '../proxy/cost/savings-recorder';
import { MessagesProxy } from '../proxy/formats/anthropic-messages/messages.proxy';
import { PromptCacheReportHttpController } from '../proxy/http/prompt-cache-report.http-controller';
import { PrefixDiagnostics } from '../proxy/prompt-cache/prefix-diagnostics';
import { SHADOW_AUDIT_PROVIDERS } from '../proxy/shadow/shadow.providers';
import { EmbeddingsProxy } from './embeddings/embeddings.proxy';
import { OpenAiHttpController } from './http/openai.http-controller';
import { ProxyAccess } from './http/proxy-access';
import { ModelsProxy } from './models/models.proxy';
import { ProxyStoreQueue } from './store/proxy-store-queue';
import { UpstreamClient } from './upstream/upstream-client';

/** The proxies' controllers and providers (OpenAI-compatible and Anthropic Messages), registered by the GatewayModule. */
export const OPENAI_PROXY_CONTROLLERS: Type[] = [OpenAiHttpController, PromptCacheReportHttpController];

export const OPENAI_PROXY_PROVIDERS: Provider[] = [
  ProxyAccess,
  UpstreamClient,
  ProxyStoreQueue,
  SavingsRecorder,
  PrefixDiagnostics,
  ...SHADOW_AUDIT_PROVIDERS,
  ChatCompletionsProxy,
  MessagesProxy,
  EmbeddingsProxy,
  ModelsProxy,
];
