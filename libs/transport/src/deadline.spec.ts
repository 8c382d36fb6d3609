import { ErrorCode, StrataError } from '@strata/contracts';
import { withDeadline } from './deadline';

describe(withDeadline.name, () => {
  afterEach(() => jest.useRealTimers());

  it('settles as the work does, with its value or its reason, and leaves no timer behind', async () => {
    jest.useFakeTimers();
    await expect(withDeadline(Promise.resolve(42), 1_000, 'strata.test.v1')).resolves.toBe(42);
    const reason = new Error('no');
    await expect(withDeadline(Promise.reject(reason), 1_000, 'strata.test.v1')).rejects.toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with cache_unavailable naming the call once its time has passed, whatever the work does later', async () => {
    jest.useFakeTimers();
    let finish!: (value: number) => void;
    const late = withDeadline(new Promise<number>((resolve) => (finish = resolve)), 50, 'strata.test.v1');
    jest.advanceTimersByTime(50);
    finish(1);
    const error = await late.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrataError);
    expect(error).toMatchObject({
      code: ErrorCode.CacheUnavailable,
      message: '"strata.test.v1" got no reply within 50 ms',
    });
  });
});
