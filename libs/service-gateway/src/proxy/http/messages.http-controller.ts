import { Body, Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { RequestIdentity } from '../../auth/request-identity';
import { type Identity } from '../../auth/tenant-resolver';
import { parseProxyControls } from '../../openai/controls/proxy-controls';
import { ClientConnection } from '../../openai/http/client-connection';
import { ProxyAccess } from '../../openai/http/proxy-access';
import { writeProxyReply } from '../../openai/http/reply-writer';
import { MessagesProxy } from '../formats/anthropic-messages/messages.proxy';
import { AnthropicErrorFilter } from './anthropic-error.filter';

/**
 * The Anthropic Messages API (`POST /v1/messages`): point an Anthropic client's base URL at
 * `http://<gateway>`. Cache controls are the same request headers as on the OpenAI endpoints.
 */
@Controller('v1')
@UseFilters(AnthropicErrorFilter)
export class MessagesHttpController {
  constructor(
    private readonly access: ProxyAccess,
    private readonly messages: MessagesProxy,
  ) {}

  @Post('messages')
  @HttpCode(200)
  async create(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @RequestIdentity() identity: Identity,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const connection = new ClientConnection(reply.raw);
    const caller = this.access.caller(identity, request.headers, 'anthropic');
    const controls = parseProxyControls(request.headers);
    writeProxyReply(
      reply,
      await this.messages.handle({ caller, body, headers: request.headers, controls }, connection),
      request.id,
    );
  }
}
