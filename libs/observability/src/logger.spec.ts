import { Writable } from 'node:stream';
import { PinoNestLogger, accessLogWriter, coalescedWrites, createLogger } from './logger';

/** A stream that keeps what is written to it. */
function sink(): { stream: Writable; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

describe(PinoNestLogger.name, () => {
  it('logs an object message as structured fields, with its msg as the message', () => {
    const out = sink();
    const sut = new PinoNestLogger(createLogger('info', 'test', 'json', out.stream));
    sut.warn({ msg: 'upstream unreachable', host: 'api.example.com', attempt: 2 }, 'Upstream');
    const line = JSON.parse(out.lines()[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'upstream unreachable',
      host: 'api.example.com',
      attempt: 2,
      context: 'Upstream',
      level: 40,
    });
  });

  it('never writes keys, prompts or answers passed as fields', () => {
    const out = sink();
    const sut = new PinoNestLogger(createLogger('info', 'test', 'json', out.stream));
    sut.log(
      {
        msg: 'request',
        apiKey: 'sk-secret-1',
        headers: { authorization: 'Bearer sk-secret-2', 'x-strata-key': 'strata-secret-3' },
        body: { messages: [{ role: 'user', content: 'my private question' }], prompt: 'private prompt' },
      },
      'Test',
    );
    const text = out.lines().join('\n');
    for (const secret of ['sk-secret-1', 'sk-secret-2', 'strata-secret-3', 'my private question', 'private prompt']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('keeps an error message with the error as a field', () => {
    const out = sink();
    const sut = new PinoNestLogger(createLogger('info', 'test', 'json', out.stream));
    sut.error(new Error('boom'), undefined, 'Test');
    const line = JSON.parse(out.lines()[0] ?? '{}') as { msg: string; err: { message: string } };
    expect(line.msg).toBe('boom');
    expect(line.err.message).toBe('boom');
  });

  it('writes one readable line per entry in the pretty format, context first', () => {
    const out = sink();
    const sut = new PinoNestLogger(createLogger('info', 'test', 'pretty', out.stream));
    sut.warn('Redis unreachable, continuing without it', 'RedisL2');
    expect(out.lines()).toHaveLength(1);
    expect(out.lines()[0]).toMatch(/WARN.*\[RedisL2\] Redis unreachable, continuing without it/);
    expect(out.lines()[0]).not.toContain('{');
  });

  it('moves NestJS start-up chatter to debug when asked, keeping the rest at info', () => {
    const out = sink();
    const sut = new PinoNestLogger(createLogger('info', 'test', 'pretty', out.stream), { quietFrameworkStart: true });
    sut.log('Mapped {/v1/cache/lookup, POST} route', 'RouterExplorer');
    sut.log('CacheServiceModule dependencies initialized', 'InstanceLoader');
    sut.log('connected to Kafka after 3 attempts', 'Kafka');
    expect(out.lines()).toHaveLength(1);
    expect(out.lines()[0]).toContain('connected to Kafka after 3 attempts');
  });

  it('keeps NestJS start-up lines at info in JSON by default, for machines that read them', () => {
    const out = sink();
    const sut = new PinoNestLogger(createLogger('info', 'test', 'json', out.stream));
    sut.log('Mapped {/v1/cache/lookup, POST} route', 'RouterExplorer');
    expect(JSON.parse(out.lines()[0] ?? '{}')).toMatchObject({ level: 30, context: 'RouterExplorer' });
  });
});

describe(accessLogWriter.name, () => {
  const fields = {
    method: 'POST',
    path: '/v1/"odd"\\path',
    status: 200,
    cache: 'HIT',
    tier: 'l1',
    ms: 0.12,
    tenant: 'acmé\n',
    requestId: 'r-1',
  };

  it('writes the line pino would write for the same fields, in JSON', () => {
    const [ours, pinos] = [sink(), sink()];
    accessLogWriter('info', 'strata-access', 'json', ours.stream)(fields);
    createLogger('info', 'strata-access', 'json', pinos.stream).info(fields, 'request');
    const parse = (line: string | undefined) => {
      const { time, ...rest } = JSON.parse(line ?? '{}') as Record<string, unknown>;
      expect(typeof time).toBe('number');
      return rest;
    };
    expect(parse(ours.lines()[0])).toEqual(parse(pinos.lines()[0]));
    expect(Object.keys(parse(ours.lines()[0]))).toEqual(Object.keys(parse(pinos.lines()[0])));
  });

  it('leaves absent fields out, as pino does', () => {
    const out = sink();
    accessLogWriter(
      'info',
      'strata-access',
      'json',
      out.stream,
    )({ ...fields, cache: undefined, tier: undefined, tenant: undefined });
    const line = JSON.parse(out.lines()[0] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(line)).toEqual([
      'level',
      'time',
      'service',
      'name',
      'method',
      'path',
      'status',
      'ms',
      'requestId',
      'msg',
    ]);
  });

  it('writes the same line through a writer of fixed fields, for each id and duration', () => {
    const [fixed, each] = [sink(), sink()];
    const { ms: _ms, requestId: _id, ...rest } = fields;
    const write = accessLogWriter('info', 'strata-access', 'json', fixed.stream).fixed(rest);
    write(0.5, 'r-"1"');
    write(12, 'r-2');
    const log = accessLogWriter('info', 'strata-access', 'json', each.stream);
    log({ ...fields, ms: 0.5, requestId: 'r-"1"' });
    log({ ...fields, ms: 12, requestId: 'r-2' });
    const parse = (line: string | undefined) => {
      const { time, ...other } = JSON.parse(line ?? '{}') as Record<string, unknown>;
      expect(time).toEqual(expect.any(Number));
      return other;
    };
    expect(fixed.lines().map(parse)).toEqual(each.lines().map(parse));
    expect(parse(fixed.lines()[0])).toMatchObject({ ms: 0.5, requestId: 'r-"1"', tenant: 'acmé\n' });
  });

  it('writes nothing when the level is above info', () => {
    const out = sink();
    const log = accessLogWriter('warn', 'strata-access', 'json', out.stream);
    log(fields);
    log.fixed(fields)(1, 'r-3');
    expect(out.lines()).toEqual([]);
  });
});

describe(coalescedWrites.name, () => {
  /** A stream that records each write it is handed: one entry per system call a socket or pipe would make. */
  function recorder(): { stream: NodeJS.WriteStream; calls: string[] } {
    const calls: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        calls.push(chunk.toString());
        done();
      },
      writev(chunks, done) {
        calls.push(chunks.map(({ chunk }) => String(chunk)).join(''));
        done();
      },
    });
    return { stream: stream as unknown as NodeJS.WriteStream, calls };
  }

  const numbers = (call: string) =>
    call
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { n: number }).n);

  it("hands a window's lines to the stream in one write, in order, and the next window's in another", () => {
    const { stream, calls } = recorder();
    const timers: (() => void)[] = [];
    const logger = createLogger(
      'info',
      'access',
      'json',
      coalescedWrites(stream, { schedule: (flush) => timers.push(flush) }),
    );
    logger.info({ n: 1 }, 'request');
    logger.info({ n: 2 }, 'request');
    expect(calls).toEqual([]);
    expect(timers).toHaveLength(1);
    timers.shift()?.();
    logger.info({ n: 3 }, 'request');
    timers.shift()?.();
    expect(calls.map(numbers)).toEqual([[1, 2], [3]]);
  });

  it('writes at once when more than the most it may hold is waiting', () => {
    const { stream, calls } = recorder();
    const logger = createLogger(
      'info',
      'access',
      'json',
      coalescedWrites(stream, { maxBytes: 1, schedule: () => undefined }),
    );
    for (let n = 1; n <= 3; n++) logger.info({ n }, 'request');
    expect(calls.map(numbers)).toEqual([[1], [2], [3]]);
  });
});
