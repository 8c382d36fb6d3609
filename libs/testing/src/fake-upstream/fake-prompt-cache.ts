import { createHash } from 'node:crypto';

/** Tokens as the fakes count them: words. */
function fakeTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function textOf(block: unknown): string {
  if (typeof block === 'string') return block;
  if (block && typeof block === 'object') {
    const { cache_control: _cacheControl, ...rest } = block as Record<string, unknown>;
    return typeof rest['text'] === 'string' ? rest['text'] : JSON.stringify(rest);
  }
  return '';
}

function blocksOf(content: unknown): unknown[] {
  if (typeof content === 'string') return [content];
  return Array.isArray(content) ? content : [];
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function hasMarker(block: unknown): boolean {
  return !!block && typeof block === 'object' && (block as { cache_control?: unknown }).cache_control !== undefined;
}

/** Usage an Anthropic upstream reports for a request's input. */
interface AnthropicInputUsage {
  readonly input_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
}

/**
 * A prompt cache like Anthropic's: a prefix (tools, then system, then messages, block by block) is
 * written at each `cache_control` breakpoint and read back by a later request with the same prefix, when
 * the prefix reaches the model family's minimum (in words here: 1024; Haiku 2048). Reads take the
 * longest cached prefix at or before the last breakpoint; writes cover the rest up to it.
 */
export class FakeAnthropicPromptCache {
  private readonly cached = new Set<string>();

  usage(body: Record<string, unknown>): AnthropicInputUsage {
    const model = typeof body['model'] === 'string' ? body['model'] : '';
    const minimum = /haiku/i.test(model) ? 2048 : 1024;
    const blocks: unknown[] = [...listOf(body['tools']), ...blocksOf(body['system'])];
    for (const message of listOf(body['messages']))
      blocks.push(...blocksOf((message as { content?: unknown } | null)?.content));
    const hash = createHash('sha256');
    const prefixes: { key: string; tokens: number; marked: boolean }[] = [];
    let tokens = 0;
    for (const block of blocks) {
      const text = textOf(block);
      hash.update(`${text}\u0000`);
      tokens += fakeTokens(text);
      prefixes.push({ key: `${model}\u0000${hash.copy().digest('hex')}`, tokens, marked: hasMarker(block) });
    }
    const lastMarked = prefixes.map((p) => p.marked).lastIndexOf(true);
    let read = 0;
    for (let i = lastMarked; i >= 0; i--) {
      const prefix = prefixes[i];
      if (prefix && this.cached.has(prefix.key)) {
        read = prefix.tokens;
        break;
      }
    }
    let written = 0;
    for (const prefix of prefixes) {
      if (!prefix.marked || prefix.tokens < minimum) continue;
      if (!this.cached.has(prefix.key)) written = prefix.tokens - read;
      this.cached.add(prefix.key);
    }
    written = Math.max(0, written);
    return {
      input_tokens: tokens - read - written,
      cache_creation_input_tokens: written,
      cache_read_input_tokens: read,
    };
  }
}

/**
 * OpenAI's automatic prompt caching: prompts of 1024 tokens or more are cached in 128-token steps; a
 * later prompt reads the longest cached prefix (here: words of every message's text, in order).
 */
export class FakeOpenAiPromptCache {
  private readonly cached = new Set<string>();

  cachedTokens(body: Record<string, unknown>): number {
    const words: string[] = [];
    for (const message of listOf(body['messages'])) {
      for (const block of blocksOf((message as { content?: unknown } | null)?.content))
        words.push(...textOf(block).split(/\s+/).filter(Boolean));
    }
    if (words.length < 1024) return 0;
    const hash = createHash('sha256').update(typeof body['model'] === 'string' ? body['model'] : '');
    let read = 0;
    let reading = true;
    for (let end = 128; end <= words.length; end += 128) {
      hash.update(words.slice(end - 128, end).join(' '));
      const key = hash.copy().digest('hex');
      if (reading && this.cached.has(key)) read = end;
      else reading = false;
      this.cached.add(key);
    }
    return read;
  }
}
