import { Controller, Get, Header, Res } from '@nestjs/common';
import { HealthChecks } from './health-checks';
import { RouteAccess } from './route-access';
import { StrataMetrics } from './strata-metrics';
import { type FastifyReply } from 'fastify';

/** Liveness, readiness (every dependency check registered in this process) and Prometheus metrics. */
@Controller()
export class OpsHttpController {
  @Get('health/live')
  @RouteAccess('public')
  live(): object {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @RouteAccess('public')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report = await HealthChecks.shared().report();
    await reply.status(report.status === 'down' ? 503 : 200).send(report);
  }

  @Get('metrics')
  @RouteAccess('operator')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return StrataMetrics.shared().registry.metrics();
  }
}
