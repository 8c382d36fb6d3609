/** A request the broker cannot parse or route; the connection that sent it is closed, as Kafka does. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}
