export interface JsonReply {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (the raw text when it is not JSON). */
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions inspect arbitrary JSON
}

export type JsonRequest = (method: string, path: string, body?: unknown) => Promise<JsonReply>;

/** A tiny JSON-over-HTTP client for tests driving Strata's API: `jsonClient(base)('POST', '/v1/cache/lookup', body)`. */
export function jsonClient(baseUrl: string, headers: Readonly<Record<string, string>> = {}): JsonRequest {
  return async (method, path, body) => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (e.g. /metrics): keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
}
