import { type FingerprintInput, KEY_SCHEME_VERSION, entryIdFromKey, fingerprintRequest } from './request-fingerprint';

const base: FingerprintInput = {
  tenant: 'acme',
  namespace: 'support',
  namespaceVersion: 1,
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'What is the return policy?' },
  ],
  params: { temperature: 0, max_tokens: 100 },
};

const fp = (over: Partial<FingerprintInput>) => fingerprintRequest({ ...base, ...over });

describe(fingerprintRequest.name, () => {
  it('gives the same exact key for the same request', () => {
    expect(fp({}).exactKey).toBe(fingerprintRequest(base).exactKey);
    expect(fp({ api: 'openai' }).exactKey).toBe(fp({}).exactKey);
    expect(fp({}).exactKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the order of keys in params and messages', () => {
    const reordered = fp({
      params: { max_tokens: 100, temperature: 0 },
      messages: [
        { content: 'You are a helpful assistant.', role: 'system' },
        { content: 'What is the return policy?', role: 'user' },
      ],
    });
    expect(reordered.exactKey).toBe(fp({}).exactKey);
  });

  it('ignores whitespace runs and line-ending style in message text', () => {
    const spaced = fp({
      messages: [
        { role: 'system', content: '  You are a   helpful\tassistant. ' },
        { role: 'user', content: 'What is the\r\nreturn policy?' },
      ],
    });
    const unix = fp({
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'What is the\nreturn policy?' },
      ],
    });
    expect(spaced.exactKey).toBe(unix.exactKey);
  });

  it('keeps case and punctuation significant', () => {
    expect(fp({ messages: [{ role: 'user', content: 'what is the return policy?' }] }).exactKey).not.toBe(
      fp({ messages: [{ role: 'user', content: 'What is the return policy?' }] }).exactKey,
    );
  });

  it('leaves params that do not change the output out of the key', () => {
    expect(
      fp({ params: { ...base.params, user: 'u-1', stream: true, stream_options: { include_usage: true } } }).exactKey,
    ).toBe(fp({}).exactKey);
  });

  it.each([
    ['temperature', { temperature: 0.2 }],
    ['seed', { seed: 7 }],
    ['max_tokens', { max_tokens: 101 }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['tools', { tools: [{ type: 'function', function: { name: 'lookup' } }] }],
    ['an unknown param', { frobnicate: 1 }],
  ])('puts %s in the key', (_name, extra) => {
    expect(fp({ params: { ...base.params, ...extra } }).exactKey).not.toBe(fp({}).exactKey);
  });

  it.each([
    ['API', { api: 'anthropic' as const }],
    ['tenant', { tenant: 'globex' }],
    ['namespace', { namespace: 'sales' }],
    ['namespace version', { namespaceVersion: 2 }],
    ['model', { model: 'gpt-4o' }],
  ])('separates requests by %s, in both the exact key and the semantic context', (_name, over) => {
    expect(fp(over).exactKey).not.toBe(fp({}).exactKey);
    expect(fp(over).contextHash).not.toBe(fp({}).contextHash);
  });

  it('shares the semantic context between requests that differ only in the last user message', () => {
    const other = fp({ messages: [base.messages![0], { role: 'user', content: 'How do I return an item?' }] });
    expect(other.contextHash).toBe(fp({}).contextHash);
    expect(other.exactKey).not.toBe(fp({}).exactKey);
    expect(other.query).toBe('How do I return an item?');
  });

  it('separates semantic contexts by system prompt and by earlier turns', () => {
    const otherSystem = fp({ messages: [{ role: 'system', content: 'Answer in French.' }, base.messages![1]] });
    const withHistory = fp({
      messages: [
        base.messages![0],
        { role: 'user', content: 'Do you sell sandals?' },
        { role: 'assistant', content: 'Yes, in every size.' },
        base.messages![1],
      ],
    });
    expect(otherSystem.contextHash).not.toBe(fp({}).contextHash);
    expect(withHistory.contextHash).not.toBe(fp({}).contextHash);
  });

  it('has no semantic query when the last message is not a user text message', () => {
    const toolTurn = fp({
      messages: [...base.messages!, { role: 'tool', content: '{"ok":true}', tool_call_id: 'c1' }],
    });
    const image = fp({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }],
    });
    expect(toolTurn.query).toBe('');
    expect(image.query).toBe('');
  });

  it('uses text parts as the query and normalises them', () => {
    const parts = fp({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What  is the return policy?' }] }],
    });
    expect(parts.query).toBe('What is the return policy?');
  });

  it('keys a prompt apart from a chat request with the same text', () => {
    const prompt = fp({ messages: undefined, prompt: 'What is the return policy?' });
    const chat = fp({ messages: [{ role: 'user', content: 'What is the return policy?' }] });
    expect(prompt.exactKey).not.toBe(chat.exactKey);
    expect(prompt.query).toBe('What is the return policy?');
  });
});

describe(entryIdFromKey.name, () => {
  it('derives a stable UUID from the exact key', () => {
    const key = fp({}).exactKey;
    expect(entryIdFromKey(key)).toBe(entryIdFromKey(key));
    expect(entryIdFromKey(key)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(entryIdFromKey(fp({ model: 'other' }).exactKey)).not.toBe(entryIdFromKey(key));
  });
});

describe('fingerprintRequest key format', () => {
  /** The definition the fast implementation must equal: canonical JSON of whole objects. */
  function reference(input: FingerprintInput) {
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const { canonicalJson } = jest.requireActual<typeof import('./canonical-json')>('./canonical-json');
    const { normaliseText } = jest.requireActual<typeof import('./normalise-text')>('./normalise-text');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const params = Object.fromEntries(
      Object.entries(input.params ?? {}).filter(
        ([k]) =>
          ![
            'user',
            'stream',
            'stream_options',
            'store',
            'metadata',
            'service_tier',
            'prompt_cache_key',
            'safety_identifier',
            'timeout',
          ].includes(k),
      ),
    );
    const head = {
      api: input.api ?? 'openai',
      v: KEY_SCHEME_VERSION,
      tenant: input.tenant,
      ns: input.namespace,
      nsv: input.namespaceVersion,
      model: input.model.trim(),
      params,
    };
    const norm = (m: { role: string; content?: unknown }) =>
      typeof m.content === 'string' ? { ...m, content: normaliseText(m.content) } : m;
    const messages = (input.messages ?? []).map(norm);
    const { content: _c, ...last } = messages[messages.length - 1];
    return {
      exactKey: sha(canonicalJson({ ...head, kind: 'chat', messages })),
      contextHash: sha(canonicalJson({ ...head, kind: 'chat', earlier: messages.slice(0, -1), last })),
    };
  }

  it('equals the canonical JSON of the whole request, hashed', () => {
    const input: FingerprintInput = {
      ...base,
      messages: [
        ...base.messages!,
        { role: 'assistant', content: '30  days.' },
        { role: 'user', content: ' And\r\nfor sandals? ', name: 'u1' },
      ],
      params: {
        ...base.params,
        user: 'x',
        tools: [{ type: 'function', function: { name: 'f', parameters: { b: 1, a: 2 } } }],
      },
    };
    expect(fingerprintRequest(input)).toMatchObject(reference(input));
    const anthropic = { ...input, api: 'anthropic' as const };
    expect(fingerprintRequest(anthropic)).toMatchObject(reference(anthropic));
  });
});
