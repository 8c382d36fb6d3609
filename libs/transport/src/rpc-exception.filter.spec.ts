import { type ArgumentsHost } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { ErrorCode } from '@strata/contracts';
import { lastValueFrom } from 'rxjs';
import { StrataRpcExceptionFilter } from './rpc-exception.filter';

/** The host of a handler serving a Kafka message with these headers. */
function kafkaHost(headers: Record<string, unknown>): ArgumentsHost {
  const context = new KafkaContext([{ headers, offset: '4' }, 0, 'strata.test.v1'] as unknown as ConstructorParameters<
    typeof KafkaContext
  >[0]);
  return { switchToRpc: () => ({ getContext: () => context }) } as unknown as ArgumentsHost;
}

describe(StrataRpcExceptionFilter.name, () => {
  it('logs an internal failure with the id of the request its message was sent for', async () => {
    const filter = new StrataRpcExceptionFilter();
    const lines: unknown[] = [];
    Object.assign(filter, { logger: { error: (line: unknown) => lines.push(line), warn: () => undefined } });

    await expect(
      lastValueFrom(filter.catch(new Error('boom'), kafkaHost({ 'x-request-id': 'req-5' }))),
    ).rejects.toMatchObject({ code: ErrorCode.Internal });

    expect(lines).toEqual([
      expect.objectContaining({ msg: expect.stringContaining('boom') as string, requestId: 'req-5' }),
    ]);
  });
});
