import { type ApiHandler } from './api-handler';
import { ProtocolError } from './protocol-error';
import { RequestReader } from './request-reader';

/** Where a request frame came from. */
interface ConnectionInfo {
  readonly clientHost: string;
}

/**
 * Decodes the request header (v1: api key, api version, correlation id, client id), routes the body to the
 * handler for that API and returns the complete response frame, or null when none is due. Unknown APIs or
 * versions throw ProtocolError; the connection is then closed, which is what a Kafka broker does.
 */
export class RequestDispatcher {
  private readonly handlers = new Map<number, ApiHandler>();

  constructor(
    handlers: readonly ApiHandler[],
    private readonly shutdown: AbortSignal,
  ) {
    for (const handler of handlers) this.handlers.set(handler.apiKey, handler);
  }

  async dispatch(frame: Buffer, connection: ConnectionInfo): Promise<Buffer | null> {
    const reader = new RequestReader(frame);
    const apiKey = reader.int16();
    const apiVersion = reader.int16();
    const correlationId = reader.int32();
    const clientId = reader.nullableString() ?? '';
    const handler = this.handlers.get(apiKey);
    if (!handler) throw new ProtocolError(`unsupported api key ${apiKey}`);
    if (!handler.answersUnsupportedVersions && (apiVersion < handler.minVersion || apiVersion > handler.maxVersion)) {
      throw new ProtocolError(`unsupported version ${apiVersion} of api key ${apiKey}`);
    }
    const response = await handler.handle(reader, {
      apiVersion,
      correlationId,
      clientId,
      clientHost: connection.clientHost,
      shutdown: this.shutdown,
    });
    return response ? response.toFrame(correlationId) : null;
  }
}
