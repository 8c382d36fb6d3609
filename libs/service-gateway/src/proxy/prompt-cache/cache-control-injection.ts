/** Where the proxy may add Anthropic `cache_control` breakpoints (per namespace, `promptCache.cacheControl`). */
export type CacheControlMode = 'off' | 'system' | 'system+tools' | 'auto';
export type CacheControlTtl = '5m' | '1h';

/** Anthropic accepts at most this many breakpoints per request, the client's included. */
export const MAX_BREAKPOINTS = 4;

/** Rough token estimate for sizing decisions (English and JSON average about 4 characters a token). */
const CHARS_PER_TOKEN = 4;

/**
 * The smallest prefix Anthropic caches, in tokens, by model family: 2048 for Haiku, 1024 for Sonnet,
 * Opus and others. A breakpoint on a shorter prefix is silently not cached (and wastes one of four).
 */
export function minimumCacheableTokens(model: string): number {
  return /haiku/i.test(model) ? 2048 : 1024;
}

type Block = Record<string, unknown>;
const TTL_RANK: Record<CacheControlTtl, number> = { '5m': 0, '1h': 1 };

function isBlock(value: unknown): value is Block {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function markerTtl(block: unknown): CacheControlTtl | undefined {
  if (!isBlock(block) || !isBlock(block['cache_control'])) return undefined;
  return block['cache_control']['ttl'] === '1h' ? '1h' : '5m';
}

/** One place in the prompt's prefix order (tools, then system, then messages) that may carry a breakpoint. */
interface Slot {
  readonly block: Block;
  /** Characters of the prompt up to and including this block. */
  readonly prefixChars: number;
  readonly replace: (block: Block) => void;
}

/** A shallow copy of the request with `system` and message contents as block arrays the injection can mark. */
function copyRequest(body: Readonly<Record<string, unknown>>): {
  out: Record<string, unknown>;
  slots: Slot[];
  candidates: Map<string, Slot>;
} {
  const out: Record<string, unknown> = { ...body };
  const slots: Slot[] = [];
  const candidates = new Map<string, Slot>();
  let chars = 0;

  const tools = Array.isArray(body['tools']) ? [...(body['tools'] as unknown[])] : undefined;
  if (tools) {
    out['tools'] = tools;
    tools.forEach((tool, i) => {
      chars += JSON.stringify(tool).length;
      if (!isBlock(tool)) return;
      const slot: Slot = { block: tool, prefixChars: chars, replace: (b) => (tools[i] = b) };
      slots.push(slot);
      if (i === tools.length - 1) candidates.set('tools', slot);
    });
  }

  const system = body['system'];
  const systemBlocks =
    typeof system === 'string'
      ? system === ''
        ? []
        : [{ type: 'text', text: system }]
      : Array.isArray(system)
        ? [...(system as unknown[])]
        : [];
  if (systemBlocks.length > 0) {
    out['system'] = systemBlocks;
    systemBlocks.forEach((block, i) => {
      chars +=
        isBlock(block) && typeof block['text'] === 'string' ? block['text'].length : JSON.stringify(block).length;
      if (!isBlock(block)) return;
      const slot: Slot = { block, prefixChars: chars, replace: (b) => (systemBlocks[i] = b) };
      slots.push(slot);
      if (i === systemBlocks.length - 1) candidates.set('system', slot);
    });
  }

  const messages = Array.isArray(body['messages']) ? [...(body['messages'] as unknown[])] : [];
  out['messages'] = messages;
  messages.forEach((message, m) => {
    if (!isBlock(message)) return;
    const content = message['content'];
    const blocks =
      typeof content === 'string'
        ? [{ type: 'text', text: content }]
        : Array.isArray(content)
          ? [...(content as unknown[])]
          : [];
    let copied: Block | undefined;
    blocks.forEach((block, i) => {
      chars +=
        isBlock(block) && typeof block['text'] === 'string' ? block['text'].length : JSON.stringify(block).length;
      if (!isBlock(block)) return;
      const slot: Slot = {
        block,
        prefixChars: chars,
        replace: (b) => {
          blocks[i] = b;
          copied ??= { ...message, content: blocks };
          messages[m] = copied;
        },
      };
      slots.push(slot);
      // The last stable turn: the one before the final message (the new question), which the next request repeats.
      if (m === messages.length - 2 && i === blocks.length - 1) candidates.set('turn', slot);
    });
  });
  return { out, slots, candidates };
}

interface InjectionResult {
  /** The request body to send upstream (the input itself when nothing was added). */
  readonly body: Readonly<Record<string, unknown>>;
  /** How many breakpoints were added. */
  readonly added: number;
}

/**
 * Adds Anthropic `cache_control` breakpoints so that the stable part of a prompt is cached by the
 * provider: on the last tool (`system+tools`, `auto`), the last system block (every mode but `off`),
 * and the last stable turn (`auto`: the turn before the final message). Never on a block the client
 * marked, never above 4 breakpoints in all, never on a prefix shorter than the model family's minimum
 * cacheable size, and TTLs kept in the order Anthropic requires (a `1h` breakpoint never after a `5m` one).
 * The input is not modified.
 */
export function injectCacheControl(
  body: Readonly<Record<string, unknown>>,
  mode: CacheControlMode,
  ttl: CacheControlTtl,
  model: string,
): InjectionResult {
  if (mode === 'off') return { body, added: 0 };
  const { out, slots, candidates } = copyRequest(body);
  const wanted = [
    mode !== 'system' ? candidates.get('tools') : undefined,
    candidates.get('system'),
    mode === 'auto' ? candidates.get('turn') : undefined,
  ];
  const minimumChars = minimumCacheableTokens(model) * CHARS_PER_TOKEN;
  let budget = MAX_BREAKPOINTS - slots.filter((slot) => markerTtl(slot.block) !== undefined).length;
  let added = 0;
  for (const slot of wanted) {
    if (!slot || budget <= 0 || markerTtl(slot.block) !== undefined || slot.prefixChars < minimumChars) continue;
    const position = slots.indexOf(slot);
    // Marks before this one (the client's and ours) must not be shorter-lived; marks after it not longer-lived.
    const before = slots
      .slice(0, position)
      .map((s) => markerTtl(s.block))
      .filter((t): t is CacheControlTtl => t !== undefined);
    const after = slots
      .slice(position + 1)
      .map((s) => markerTtl(s.block))
      .filter((t): t is CacheControlTtl => t !== undefined);
    const ceiling = Math.min(TTL_RANK[ttl], ...before.map((t) => TTL_RANK[t]));
    const floor = Math.max(0, ...after.map((t) => TTL_RANK[t]));
    if (floor > ceiling) continue;
    const marked: Block = {
      ...slot.block,
      cache_control: ceiling === TTL_RANK['1h'] ? { type: 'ephemeral', ttl: '1h' } : { type: 'ephemeral' },
    };
    slot.replace(marked);
    slots[position] = { ...slot, block: marked };
    budget--;
    added++;
  }
  return added === 0 ? { body, added: 0 } : { body: out, added };
}
