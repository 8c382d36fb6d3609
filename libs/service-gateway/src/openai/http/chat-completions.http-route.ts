import { Injectable } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Identity } from '../../auth/tenant-resolver';
import { type ReplayCapture } from '../../http/replay/replay-capture';
import { ChatCompletionsProxy } from '../chat/chat-completions.proxy';
import { ClientConnection } from './client-connection';
import { ProxyAccess } from './proxy-access';
import { proxyInput } from './proxy-input';
import { writeProxyReply } from './reply-writer';

/**
 * `POST /v1/chat/completions`: the caching proxy in OpenAI's wire format. A hot route, served by Fastify directly
 * (`FastifyHotRoutes`) rather than through NestJS's guard and parameter pipeline; its errors are
 * `OpenAiErrorFilter`'s.
 */
@Injectable()
export class ChatCompletionsHttpRoute {
  constructor(
    private readonly access: ProxyAccess,
    private readonly chat: ChatCompletionsProxy,
  ) {}

  /** `capture`: where an L1 hit is recorded for the gateway's front door to replay, when it asked. */
  async chatCompletions(
    identity: Identity,
    request: FastifyRequest,
    reply: FastifyReply,
    capture?: ReplayCapture,
  ): Promise<void> {
    const connection = new ClientConnection(reply.raw);
    const caller = this.access.caller(identity, request.headers);
    writeProxyReply(reply, await this.chat.handle(proxyInput(request, caller, capture), connection), request.id);
  }
}
