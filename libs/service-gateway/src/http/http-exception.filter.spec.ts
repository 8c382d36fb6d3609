import { type Logger } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { sendError } from './http-exception.filter';

describe(sendError.name, () => {
  it('logs a 5xx with the id of the request it answers, and its path without the query', () => {
    const lines: unknown[] = [];
    const logger = { error: (line: unknown) => lines.push(line) } as unknown as Logger;
    const request = { id: 'req-9', method: 'POST', url: '/v1/cache/lookup?q=secret' } as FastifyRequest;
    const reply = { status: () => reply, header: () => reply, send: () => reply } as unknown as FastifyReply;

    sendError(logger, request, reply, new Error('boom'), 500, {});

    expect(lines).toEqual([
      expect.objectContaining({ msg: 'request failed with 500', path: '/v1/cache/lookup', requestId: 'req-9' }),
    ]);
  });
});
