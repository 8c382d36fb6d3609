import { envelope } from './message-envelope';

describe(envelope.name, () => {
  it('puts the id of the request it is sent for in the message headers, next to the key and the payload', () => {
    expect(envelope({ a: 1 }, 'tenant', { requestId: 'req-1' })).toEqual({
      key: 'tenant',
      value: { a: 1 },
      headers: { 'x-request-id': 'req-1' },
    });
  });

  it('sends neither key nor headers when there are none', () => {
    expect(envelope({ a: 1 })).toEqual({ value: { a: 1 } });
    expect(envelope({ a: 1 }, undefined, {})).toEqual({ value: { a: 1 } });
  });
});
