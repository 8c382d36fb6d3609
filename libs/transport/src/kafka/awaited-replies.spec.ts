import { AwaitedReplies } from './awaited-replies';

describe(AwaitedReplies.name, () => {
  it('lets a batch go on at once while a request is on its way, and makes it wait once all are answered', async () => {
    const sut = new AwaitedReplies(60_000);
    sut.sent();
    await expect(sut.whileNone()).resolves.toBeUndefined();

    sut.settled();
    let returned = false;
    const waiting = sut.whileNone().then(() => (returned = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(returned).toBe(false);
    sut.sent();
    await waiting;
    expect(returned).toBe(true);
  });

  it('lets a waiting batch go on after maxWaitMs with no request sent (kafkajs heartbeats between batches)', async () => {
    const sut = new AwaitedReplies(1);

    await expect(sut.whileNone()).resolves.toBeUndefined();
  });

  it('lets every batch go on once closed, and makes them wait again once reopened', async () => {
    const sut = new AwaitedReplies(60_000);
    const waiting = sut.whileNone();
    sut.close();
    await expect(waiting).resolves.toBeUndefined();
    await expect(sut.whileNone()).resolves.toBeUndefined();

    sut.open();
    let returned = false;
    void sut.whileNone().then(() => (returned = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(returned).toBe(false);
    sut.close();
  });
});
