import { type JsonValue } from '@strata/contracts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text of a complete answer body (OpenAI chat completion or Anthropic message), when it is only text; undefined
 * otherwise — tool calls, several choices, refusals or an unknown shape cannot be compared as prose, so they are not.
 */
export function answerText(body: JsonValue | undefined): string | undefined {
  if (!isObject(body)) return undefined;
  const choices = body['choices'];
  if (Array.isArray(choices)) {
    if (choices.length !== 1) return undefined;
    const message: unknown = isObject(choices[0]) ? choices[0]['message'] : undefined;
    if (!isObject(message) || typeof message['content'] !== 'string') return undefined;
    if (message['tool_calls'] !== undefined && message['tool_calls'] !== null) return undefined;
    if (message['function_call'] !== undefined && message['function_call'] !== null) return undefined;
    return message['content'];
  }
  const content = body['content'];
  if (Array.isArray(content) && body['type'] === 'message') {
    const texts: string[] = [];
    for (const block of content) {
      if (!isObject(block) || block['type'] !== 'text' || typeof block['text'] !== 'string') return undefined;
      texts.push(block['text']);
    }
    return texts.length === 0 ? undefined : texts.join('');
  }
  return undefined;
}
