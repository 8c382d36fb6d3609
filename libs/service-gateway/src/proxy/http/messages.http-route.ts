import { Injectable } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Identity } from '../../auth/tenant-resolver';
import { type ReplayCapture } from '../../http/replay/replay-capture';
import { ClientConnection } from '../../openai/http/client-connection';
import { ProxyAccess } from '../../openai/http/proxy-access';
import { proxyInput } from '../../openai/http/proxy-input';
import { writeProxyReply } from '../../openai/http/reply-writer';
import { MessagesProxy } from '../formats/anthropic-messages/messages.proxy';

/**
 * The Anthropic Messages API (`POST /v1/messages`): point an Anthropic client's base URL at
 * `http://<gateway>`. Cache controls are the same request headers as on the OpenAI endpoints. A hot route, served by
 * Fastify directly (`FastifyHotRoutes`) rather than through NestJS's guard and parameter pipeline; its errors are
 * `AnthropicErrorFilter`'s.
 */
@Injectable()
export class MessagesHttpRoute {
  constructor(
    private readonly access: ProxyAccess,
    private readonly messages: MessagesProxy,
  ) {}

  /** `capture`: where an L1 hit is recorded for the gateway's front door to replay, when it asked. */
  async create(
    identity: Identity,
    request: FastifyRequest,
    reply: FastifyReply,
    capture?: ReplayCapture,
  ): Promise<void> {
    const connection = new ClientConnection(reply.raw);
    const caller = this.access.caller(identity, request.headers, 'anthropic');
    writeProxyReply(reply, await this.messages.handle(proxyInput(request, caller, capture), connection), request.id);
  }
}
