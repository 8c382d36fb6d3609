import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ErrorCode, StrataError } from '@strata/contracts';
import { type Observable, throwError } from 'rxjs';

/** Message handlers' errors travel as `{code, message}`; a stack trace never leaves the service. */
@Catch()
export class StrataRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    if (exception instanceof StrataError) return throwError(() => exception.toBody().error);
    if (exception instanceof RpcException) {
      const inner = exception.getError();
      const known = StrataError.fromPayload(inner);
      if (known) return throwError(() => known.toBody().error);
      return throwError(() => ({ code: ErrorCode.Internal, message: typeof inner === 'string' ? inner : 'internal error' }));
    }
    return throwError(() => ({ code: ErrorCode.Internal, message: 'internal error' }));
  }
}
