/**
 * The rules every model-judge adapter shares (the cache service's request judge and the gateway's answer judge):
 * where an OpenAI-compatible chat endpoint is, and what counts as a verdict in its reply.
 */

/** The `/chat/completions` endpoint of a configured base URL (`…/v1`, a bare host, or the full endpoint). */
export function chatCompletionsEndpoint(base: string): string {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/chat/completions')) url.pathname = path;
  else if (path.endsWith('/v1')) url.pathname = `${path}/chat/completions`;
  else url.pathname = `${path}/v1/chat/completions`;
  return url.toString();
}

/** The verdict in a judge's reply text: strict JSON `{"same": boolean}`, or exactly `yes` / `no`; anything else is none. */
export function parseJudgeVerdict(content: string | null | undefined): boolean | undefined {
  if (typeof content !== 'string') return undefined;
  const text = content.trim();
  const word = text.toLowerCase();
  if (word === 'yes') return true;
  if (word === 'no') return false;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const keys = Object.keys(parsed);
    const same = (parsed as { same?: unknown }).same;
    return keys.length === 1 && keys[0] === 'same' && typeof same === 'boolean' ? same : undefined;
  } catch {
    return undefined;
  }
}
