import { type ProducerBatch } from 'kafkajs';
import { CoalescingProducer } from './coalescing-producer';

/** A producer whose Produce requests are recorded and answered (or failed) when the test says so. */
function fakeProducer() {
  const requests: { batch: ProducerBatch; answer: (error?: Error) => void }[] = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) =>
      new Promise<never[]>((resolve, reject) => {
        requests.push({ batch, answer: (error) => (error ? reject(error) : resolve([])) });
      }),
  };
  const sent = () =>
    requests.map(({ batch }) =>
      (batch.topicMessages ?? []).map(({ topic, messages }) => `${topic}: ${messages.map((m) => m.value).join(',')}`),
    );
  return { producer, requests, sent };
}

describe(CoalescingProducer.name, () => {
  it('sends a message at once when no Produce request is in flight', async () => {
    const { producer, requests, sent } = fakeProducer();
    const sut = new CoalescingProducer(producer, { acks: 1 });

    const delivered = sut.send('t', { value: 'a' });
    expect(sent()).toEqual([['t: a']]);
    expect(requests[0].batch.acks).toBe(1);
    requests[0].answer();

    await expect(delivered).resolves.toBeUndefined();
  });

  it('sends the messages that arrive while a request is in flight together, by topic and in order, after it', async () => {
    const { producer, requests, sent } = fakeProducer();
    const sut = new CoalescingProducer(producer);

    const first = sut.send('t', { value: 'a' });
    const rest = [sut.send('t', { value: 'b' }), sut.send('u', { value: 'c' }), sut.send('t', { value: 'd' })];
    expect(sent()).toEqual([['t: a']]);

    requests[0].answer();
    await first;
    expect(sent()).toEqual([['t: a'], ['t: b,d', 'u: c']]);
    requests[1].answer();

    await expect(Promise.all(rest)).resolves.toEqual([undefined, undefined, undefined]);
  });

  it('fails every message of a request the broker refused, and goes on with the next', async () => {
    const { producer, requests } = fakeProducer();
    const sut = new CoalescingProducer(producer);

    const first = sut.send('t', { value: 'a' });
    const second = sut.send('t', { value: 'b' });
    requests[0].answer(new Error('broker away'));
    await expect(first).rejects.toThrow('broker away');
    requests[1].answer();

    await expect(second).resolves.toBeUndefined();
  });
});
