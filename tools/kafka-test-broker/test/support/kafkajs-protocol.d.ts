/** Types for kafkajs' (2.2.4) request definitions and request framing, used by the protocol tests. */

declare module 'kafkajs/src/protocol/requests' {
  interface ProtocolRequest {
    readonly apiKey: number;
    readonly apiVersion: number;
    readonly apiName: string;
    expectResponse?: () => boolean;
    encode(): Promise<unknown>;
  }
  interface ProtocolResponse {
    decode(payload: Buffer): Promise<unknown>;
    parse(decoded: unknown): Promise<unknown>;
  }
  interface RequestDefinition {
    readonly versions: string[];
    protocol(options: {
      version: number;
    }): (...args: unknown[]) => { request: ProtocolRequest; response: ProtocolResponse };
  }
  export const requests: Record<string, RequestDefinition>;
}

declare module 'kafkajs/src/protocol/request' {
  import type Encoder from 'kafkajs/src/protocol/encoder';
  import type { requests } from 'kafkajs/src/protocol/requests';

  type ProtocolRequest = ReturnType<ReturnType<(typeof requests)[string]['protocol']>>['request'];
  function encodeRequest(options: {
    correlationId: number;
    clientId: string;
    request: ProtocolRequest;
  }): Promise<Encoder>;
  export = encodeRequest;
}

declare module 'kafkajs/src/protocol/requests/apiKeys' {
  const apiKeys: Record<string, number>;
  export = apiKeys;
}

declare module 'kafkajs/src/protocol/error' {
  export const errorCodes: readonly { readonly type: string; readonly code: number; readonly retriable: boolean }[];
}
