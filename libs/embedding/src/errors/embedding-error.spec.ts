import { EmbeddingError, EmbeddingErrorCode, withoutStack } from './embedding-error';

describe('EmbeddingError', () => {
  it('sheds load without a stack, as retryable, and leaves every later error its stack', () => {
    const limit = Error.stackTraceLimit;
    const shed = EmbeddingError.shed(EmbeddingErrorCode.PROVIDER_BUSY, 'behind by 900 ms');
    expect(shed).toBeInstanceOf(EmbeddingError);
    expect(shed.retryable).toBe(true);
    expect(shed.message).toBe('behind by 900 ms');
    expect(shed.stack).not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new EmbeddingError(EmbeddingErrorCode.BAD_RESPONSE, 'a fault').stack).toMatch(/\n\s+at /);
  });

  it('restores the stack limit when building the error throws', () => {
    const limit = Error.stackTraceLimit;
    expect(() =>
      withoutStack((): Error => {
        throw new TypeError('cannot build');
      }),
    ).toThrow('cannot build');
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
