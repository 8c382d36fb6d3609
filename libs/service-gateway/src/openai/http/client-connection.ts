import { type ServerResponse } from 'node:http';

/**
 * The client side of one exchange: runs callbacks when the response closes, whether it was sent in full
 * or the client went away (`aborted`).
 */
export class ClientConnection {
  private closed = false;
  private callbacks: (() => void)[] = [];

  constructor(private readonly response: ServerResponse) {
    response.once('close', () => {
      this.closed = true;
      for (const callback of this.callbacks.splice(0)) callback();
    });
  }

  /** The client went away before the response was sent in full. */
  get aborted(): boolean {
    return this.closed && !this.response.writableFinished;
  }

  onClose(callback: () => void): void {
    if (this.closed) callback();
    else this.callbacks.push(callback);
  }

  /** An AbortSignal that fires if the client goes away before its response is complete. */
  signal(): AbortSignal {
    const controller = new AbortController();
    this.onClose(() => {
      if (!this.response.writableFinished) controller.abort();
    });
    return controller.signal;
  }
}
