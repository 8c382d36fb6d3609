import { LiveStream, type StreamFrame, type StreamSubscriber } from './live-stream';

class RecordingSubscriber implements StreamSubscriber {
  readonly texts: string[] = [];
  ended: boolean | undefined;

  frame(frame: StreamFrame): void {
    this.texts.push(frame.text);
  }

  end(done: boolean): void {
    this.ended = done;
  }
}

const frame = (text: string): StreamFrame => ({ text, usageOnly: false });

describe(LiveStream.name, () => {
  it('gives a late subscriber the frames so far, then the rest as they arrive', () => {
    const sut = new LiveStream();
    const early = new RecordingSubscriber();
    sut.subscribe(early);
    sut.push(frame('a'));
    const late = new RecordingSubscriber();
    sut.subscribe(late);
    expect(late.texts).toEqual(['a']);
    sut.push(frame('b'));
    sut.finish(true);
    expect(early.texts).toEqual(['a', 'b']);
    expect(late.texts).toEqual(['a', 'b']);
    expect([early.ended, late.ended]).toEqual([true, true]);
  });

  it('replays a finished stream whole, with how it ended', () => {
    const sut = new LiveStream();
    sut.push(frame('a'));
    sut.finish(false);
    const after = new RecordingSubscriber();
    sut.subscribe(after);
    expect(after.texts).toEqual(['a']);
    expect(after.ended).toBe(false);
    expect(sut.finished).toBe(true);
  });

  it('stops sending to a subscriber that unsubscribed', () => {
    const sut = new LiveStream();
    const gone = new RecordingSubscriber();
    const unsubscribe = sut.subscribe(gone);
    unsubscribe();
    sut.push(frame('a'));
    sut.finish(true);
    expect(gone.texts).toEqual([]);
    expect(gone.ended).toBeUndefined();
  });

  it('ignores frames after the end', () => {
    const sut = new LiveStream();
    sut.finish(true);
    sut.push(frame('late'));
    const after = new RecordingSubscriber();
    sut.subscribe(after);
    expect(after.texts).toEqual([]);
  });
});
