import { Correlation } from '@strata/observability';
import { envelope } from './message-envelope';

describe(envelope.name, () => {
  it('puts the current correlation id in the message headers, next to the key and the payload', () => {
    expect(Correlation.run('req-1', () => envelope({ a: 1 }, 'tenant'))).toEqual({
      key: 'tenant',
      value: { a: 1 },
      headers: { 'x-request-id': 'req-1' },
    });
  });

  it('sends neither key nor headers when there are none', () => {
    expect(envelope({ a: 1 })).toEqual({ value: { a: 1 } });
  });
});
