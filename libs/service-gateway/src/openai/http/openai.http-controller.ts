import { Body, Controller, Get, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { EmbeddingsProxy } from '../embeddings/embeddings.proxy';
import { ModelsProxy } from '../models/models.proxy';
import { RequestIdentity } from '../../auth/request-identity';
import { type Identity } from '../../auth/tenant-resolver';
import { ClientConnection } from './client-connection';
import { OpenAiErrorFilter } from './openai-error.filter';
import { ProxyAccess } from './proxy-access';
import { writeProxyReply } from './reply-writer';
import { httpRequestContext } from '../../http/http-request-context';

/**
 * The OpenAI-compatible API (`/v1/chat/completions`, `/v1/embeddings`, `/v1/models`): point an OpenAI
 * client's base URL at `http://<gateway>/v1`. Cache controls are request headers (see ./README.md). The hot route,
 * `POST /v1/chat/completions`, is served by Fastify directly (`ChatCompletionsHttpRoute`).
 */
@Controller('v1')
@UseFilters(OpenAiErrorFilter)
export class OpenAiHttpController {
  constructor(
    private readonly access: ProxyAccess,
    private readonly embeddings: EmbeddingsProxy,
    private readonly models: ModelsProxy,
  ) {}

  @Post('embeddings')
  @HttpCode(200)
  async createEmbeddings(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @RequestIdentity() identity: Identity,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const connection = new ClientConnection(reply.raw);
    const caller = this.access.caller(identity, request.headers);
    const context = httpRequestContext(request);
    writeProxyReply(reply, await this.embeddings.handle({ caller, body, context }, connection), request.id);
  }

  @Get('models')
  async listModels(
    @Req() request: FastifyRequest,
    @RequestIdentity() identity: Identity,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const connection = new ClientConnection(reply.raw);
    const caller = this.access.caller(identity, request.headers);
    writeProxyReply(reply, await this.models.list(caller, connection), request.id);
  }

  /** Model ids may hold slashes (`meta-llama/Llama-3.1-8B`), hence the wildcard. */
  @Get('models/*')
  async retrieveModel(
    @Req() request: FastifyRequest<{ Params: Record<string, string> }>,
    @RequestIdentity() identity: Identity,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const connection = new ClientConnection(reply.raw);
    const caller = this.access.caller(identity, request.headers);
    const id = decodeURIComponent(request.params['*'] ?? '');
    writeProxyReply(reply, await this.models.retrieve(id, caller, connection), request.id);
  }
}
