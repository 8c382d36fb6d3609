import { Controller, Get, Query, Req } from '@nestjs/common';
import { DEFAULT_NAMESPACE } from '@strata/cache-core';
import { ErrorCode, StrataError, namespaceSchema } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { RequestIdentity } from '../../auth/request-identity';
import { type Identity } from '../../auth/tenant-resolver';
import { ProxyAccess } from '../../openai/http/proxy-access';
import { PrefixDiagnostics, type PrefixReport } from '../prompt-cache/prefix-diagnostics';

/**
 * `GET /v1/prompt-cache/report?namespace=…`: how stable the calling tenant's prompt prefixes are in a
 * namespace (reuse rate, most frequent prefixes, volatile content with the first differing span and a
 * hint), from the requests this gateway replica proxied.
 */
@Controller('v1/prompt-cache')
export class PromptCacheReportHttpController {
  constructor(
    private readonly access: ProxyAccess,
    private readonly prefixes: PrefixDiagnostics,
  ) {}

  @Get('report')
  report(
    @Query('namespace') namespace: unknown,
    @Req() request: FastifyRequest,
    @RequestIdentity() identity: Identity,
  ): PrefixReport {
    const { tenant } = this.access.caller(identity, request.headers);
    const parsed = namespaceSchema.safeParse(namespace ?? DEFAULT_NAMESPACE);
    if (!parsed.success)
      throw new StrataError(ErrorCode.InvalidRequest, `namespace: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return this.prefixes.report(tenant, parsed.data);
  }
}
