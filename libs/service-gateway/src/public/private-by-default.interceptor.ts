import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { type Observable } from 'rxjs';
import { PRIVATE_NO_STORE } from './edge-headers';

/**
 * Every HTTP answer of the gateway is `Cache-Control: private, no-store` toward shared caches unless its handler says
 * otherwise (only public answers do: `PublicAnswerHttpController`). Set before the handler runs, so errors get it too.
 */
@Injectable()
export class PrivateByDefaultInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http')
      void context.switchToHttp().getResponse<FastifyReply>().header('cache-control', PRIVATE_NO_STORE);
    return next.handle();
  }
}
