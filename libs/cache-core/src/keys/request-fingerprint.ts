import { canonicalJson } from './canonical-json';
import { contentText } from './content-text';
import { normaliseText } from './normalise-text';
import { sha256Hex } from './sha256-hex';
import { substantiveTurns } from './small-talk';

export { contentText } from './content-text';

/** Bump when the canonical form changes: old keys then simply stop matching (a clean, safe miss). */
export const KEY_SCHEME_VERSION = 3;

/**
 * The API a request came in on. It is part of every key: an answer recorded for one API (its wire
 * format, its defaults) never answers a request of another, even when the conversation is the same.
 */
export type RequestApi = 'openai' | 'anthropic';

/** A chat message in OpenAI format, as validated by the contracts. */
export interface ChatMessageLike {
  readonly role: string;
  readonly content?: unknown;
  readonly [field: string]: unknown;
}

export interface FingerprintInput {
  /** Default `openai`: the cache-as-a-service API takes OpenAI-shaped requests and shares the chat proxy's keys. */
  readonly api?: RequestApi;
  readonly tenant: string;
  readonly namespace: string;
  readonly namespaceVersion: number;
  readonly model: string;
  /** Exactly one of `messages` and `prompt`. */
  readonly messages?: readonly ChatMessageLike[];
  readonly prompt?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * User-scoped namespaces only: the user's pseudonym (`userScopeHash`), part of the exact key and of the
   * context, so two users never share an entry or a semantic partition. Absent (tenant scope): keys are
   * byte for byte those of key scheme v3 without it.
   */
  readonly user?: string | undefined;
}

export interface RequestFingerprint {
  /** SHA-256 hex of the whole canonical request: L1/L2 key. */
  readonly exactKey: string;
  /** SHA-256 hex of the canonical request without its last user message: the semantic partition. */
  readonly contextHash: string;
  /** The last user message as normalised text; '' when the request has none (semantic lookups skip). */
  readonly query: string;
}

/**
 * Request fields that never change what the model answers, so they stay out of the key: who is asking,
 * how the answer is delivered, provider-side bookkeeping. Everything else (including fields we do not
 * know) is in the key: an unknown field may change the output, and a miss is cheaper than a wrong hit.
 */
export const OUTPUT_NEUTRAL_PARAMS: ReadonlySet<string> = new Set([
  'user',
  'stream',
  'stream_options',
  'store',
  'metadata',
  'service_tier',
  'prompt_cache_key',
  'safety_identifier',
  'timeout',
]);

function normaliseContent(content: unknown): unknown {
  if (typeof content === 'string') return normaliseText(content);
  if (!Array.isArray(content)) return content;
  return content.map((part: unknown) => {
    if (part && typeof part === 'object' && (part as { type?: unknown }).type === 'text') {
      const text = (part as { text?: unknown }).text;
      if (typeof text === 'string') return { ...part, text: normaliseText(text) };
    }
    return part;
  });
}

function normaliseMessage(message: ChatMessageLike): ChatMessageLike {
  return message.content === undefined ? message : { ...message, content: normaliseContent(message.content) };
}

function outputParams(params: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!params) return out;
  for (const key of Object.keys(params)) {
    if (!OUTPUT_NEUTRAL_PARAMS.has(key)) out[key] = params[key];
  }
  return out;
}

/**
 * Derives the exact key, the semantic context hash and the semantic query of a request.
 *
 * The context covers tenant, namespace@version, model, output-changing params (tools and
 * response_format included), the system prompt and every earlier turn but small talk (`small-talk.ts`):
 * two requests can only ever match semantically when all of that is equal, so a semantic hit never
 * crosses contexts.
 */
export function fingerprintRequest(input: FingerprintInput): RequestFingerprint {
  // Hot path (every request): the canonical JSON of each part is built once and shared by the exact key
  // and the context, instead of serialising two overlapping objects. The result is exactly
  // canonicalJson({api, v, tenant, ns, nsv, model, params, kind, …}) (see the spec's reference implementation):
  // keys in sorted order — api, earlier, kind, last, messages, model, ns, nsv, params, prompt, tenant, user, v
  // (`user` only in user-scoped namespaces).
  const head = `{"api":${JSON.stringify(input.api ?? 'openai')}`;
  const tail =
    `,"model":${JSON.stringify(input.model.trim())},"ns":${JSON.stringify(input.namespace)},"nsv":${canonicalJson(input.namespaceVersion)}` +
    `,"params":${canonicalJson(outputParams(input.params))}`;
  const user = input.user === undefined ? '' : `,"user":${JSON.stringify(input.user)}`;
  const end = `,"tenant":${JSON.stringify(input.tenant)}${user},"v":${KEY_SCHEME_VERSION}}`;

  if (input.prompt !== undefined) {
    const prompt = normaliseText(input.prompt);
    return {
      exactKey: sha256Hex(`${head},"kind":"prompt"${tail},"prompt":${JSON.stringify(prompt)}${end}`),
      contextHash: sha256Hex(`${head},"kind":"prompt"${tail}${end}`),
      query: prompt,
    };
  }

  const messages = (input.messages ?? []).map(normaliseMessage);
  const json = messages.map(canonicalJson);
  const exactKey = sha256Hex(`${head},"kind":"chat","messages":[${json.join(',')}]${tail}${end}`);
  const last = messages[messages.length - 1];
  const lastText = last && last.role === 'user' ? contentText(last.content) : undefined;
  if (lastText === undefined || lastText === '') {
    // Last turn is not a plain-text user message (tool result, image...): exact matching only.
    return { exactKey, contextHash: exactKey, query: '' };
  }
  const { content: _content, ...lastWithoutContent } = last;
  // Small talk before the question ("hi" / "Hello! How can I help?") is not part of the context, so the
  // same question asked with or without a greeting shares a partition; every other earlier turn is.
  const history = messages.slice(0, -1);
  const substantive = substantiveTurns(history);
  const earlier = (substantive === history ? json.slice(0, -1) : substantive.map(canonicalJson)).join(',');
  const contextHash = sha256Hex(
    `${head},"earlier":[${earlier}],"kind":"chat","last":${canonicalJson(lastWithoutContent)}${tail}${end}`,
  );
  return { exactKey, contextHash, query: lastText };
}

/**
 * Entry ids are UUIDs (Qdrant point ids must be) derived from the exact key: storing the same request
 * twice replaces one entry, and every tier can find an entry by id without an extra index.
 */
export function entryIdFromKey(exactKey: string): string {
  const k = exactKey;
  const variant = ((parseInt(k[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${k.slice(0, 8)}-${k.slice(8, 12)}-8${k.slice(13, 16)}-${variant}${k.slice(17, 20)}-${k.slice(20, 32)}`;
}
