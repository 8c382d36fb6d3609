/** One SSE frame as written to clients (`data: {...}\n\n`, or a comment). */
export interface StreamFrame {
  readonly text: string;
  /** A usage-only chunk: sent only to clients that asked for `stream_options.include_usage`. */
  readonly usageOnly: boolean;
}

export interface StreamSubscriber {
  frame(frame: StreamFrame): void;
  /** `done`: the upstream ended the stream with `[DONE]`. */
  end(done: boolean): void;
}

/**
 * A streamed upstream answer while it arrives: it keeps every frame so that a request joining late
 * gets the frames so far first, then the rest as they arrive, exactly like the first one.
 */
export class LiveStream {
  private readonly frames: StreamFrame[] = [];
  private readonly subscribers = new Set<StreamSubscriber>();
  private ended: boolean | undefined;

  get finished(): boolean {
    return this.ended !== undefined;
  }

  push(frame: StreamFrame): void {
    if (this.ended !== undefined) return;
    this.frames.push(frame);
    for (const subscriber of this.subscribers) subscriber.frame(frame);
  }

  finish(done: boolean): void {
    if (this.ended !== undefined) return;
    this.ended = done;
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const subscriber of subscribers) subscriber.end(done);
  }

  /** Replays the frames so far, then follows; returns the unsubscribe function. */
  subscribe(subscriber: StreamSubscriber): () => void {
    for (const frame of this.frames) subscriber.frame(frame);
    if (this.ended !== undefined) {
      subscriber.end(this.ended);
      return () => undefined;
    }
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
    };
  }
}
