const MARK = '\u0001';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A string as Redis can keep it faithfully. Redis stores bytes: a JavaScript string with a lone UTF-16
 * surrogate would be sent as U+FFFD (so two different tags would share a key) and cannot be decoded by
 * the Lua scripts' JSON parser (`invalid unicode escape`). Such a string — and any string starting with
 * the marker U+0001, to stay injective — is stored as the marker followed by its JSON escape
 * (`\ud800` spelled out); every other string is stored as it is. `decodeText` reverses it.
 */
export function encodeText(value: string): string {
  if (!value.startsWith(MARK) && !LONE_SURROGATE.test(value)) return value;
  return MARK + JSON.stringify(value).slice(1, -1);
}

export function decodeText(value: string): string {
  return value.startsWith(MARK) ? (JSON.parse(`"${value.slice(1)}"`) as string) : value;
}
