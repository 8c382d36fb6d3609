import { MAX_BREAKPOINTS, injectCacheControl, minimumCacheableTokens } from './cache-control-injection';

const long = 'policy text '.repeat(500); // ~6000 characters: ~1500 tokens
const marker = { type: 'ephemeral' };
const request = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4',
  max_tokens: 100,
  tools: [{ name: 'lookup', description: long, input_schema: { type: 'object' } }],
  system: long,
  messages: [
    { role: 'user', content: 'Hi, I have a question about ' + long },
    { role: 'assistant', content: 'Sure.' },
    { role: 'user', content: 'What is the policy?' },
  ],
  ...extra,
});
type Sent = {
  tools: Record<string, unknown>[];
  system: Record<string, unknown>[];
  messages: { content: Record<string, unknown>[] }[];
};

describe(injectCacheControl.name, () => {
  it('marks the system prompt in system mode, tools too in system+tools, and the last stable turn in auto', () => {
    const system = injectCacheControl(request(), 'system', '5m', 'claude-sonnet-4').body as Sent;
    expect(system.system.at(-1)?.['cache_control']).toEqual(marker);
    expect(system.tools.at(-1)?.['cache_control']).toBeUndefined();

    const tools = injectCacheControl(request(), 'system+tools', '5m', 'claude-sonnet-4').body as Sent;
    expect(tools.tools.at(-1)?.['cache_control']).toEqual(marker);

    const auto = injectCacheControl(request(), 'auto', '5m', 'claude-sonnet-4');
    const sent = auto.body as Sent;
    expect(auto.added).toBe(3);
    expect(sent.messages[1]?.content.at(-1)).toEqual({ type: 'text', text: 'Sure.', cache_control: marker });
    // The new question is not marked, and the input is untouched.
    expect(sent.messages[2]).toEqual({ role: 'user', content: 'What is the policy?' });
    expect(request().system).toBe(long);
  });

  it('changes nothing when off', () => {
    const input = request();
    expect(injectCacheControl(input, 'off', '5m', 'claude-sonnet-4')).toEqual({ body: input, added: 0 });
  });

  it('never marks a block the client marked, and never exceeds 4 breakpoints in all', () => {
    const own = { type: 'ephemeral', ttl: '5m' };
    const marked = request({ system: [{ type: 'text', text: long, cache_control: own }] });
    const sent = injectCacheControl(marked, 'system', '5m', 'claude-sonnet-4');
    expect(sent.added).toBe(0);
    expect((sent.body as Sent).system[0]?.['cache_control']).toBe(own);

    const full = request({
      messages: Array.from({ length: MAX_BREAKPOINTS }, (_, i) => ({
        role: i % 2 ? 'assistant' : 'user',
        content: [{ type: 'text', text: `turn ${i}`, cache_control: marker }],
      })),
    });
    expect(injectCacheControl(full, 'auto', '5m', 'claude-sonnet-4').added).toBe(0);
  });

  it('does not mark a prefix shorter than the model family minimum (Haiku needs twice Sonnet’s)', () => {
    expect(minimumCacheableTokens('claude-3-5-haiku-latest')).toBe(2048);
    expect(minimumCacheableTokens('claude-opus-4')).toBe(1024);
    const short = { model: 'claude-sonnet-4', system: 'Be terse.', messages: [{ role: 'user', content: 'Hi' }] };
    expect(injectCacheControl(short, 'auto', '5m', 'claude-sonnet-4').added).toBe(0);
    // ~1500 tokens of system prompt: enough for Sonnet, not for Haiku.
    const medium = { model: 'm', system: long, messages: [{ role: 'user', content: 'Hi' }] };
    expect(injectCacheControl(medium, 'system', '5m', 'claude-sonnet-4').added).toBe(1);
    expect(injectCacheControl(medium, 'system', '5m', 'claude-haiku-4-5').added).toBe(0);
  });

  it('adds ttl 1h when configured, but never after a shorter-lived breakpoint of the client’s', () => {
    const hour = injectCacheControl(request(), 'system', '1h', 'claude-sonnet-4').body as Sent;
    expect(hour.system.at(-1)?.['cache_control']).toEqual({ type: 'ephemeral', ttl: '1h' });

    const clientTool = request({
      tools: [{ name: 'lookup', description: long, input_schema: { type: 'object' }, cache_control: marker }],
    });
    const capped = injectCacheControl(clientTool, 'system', '1h', 'claude-sonnet-4').body as Sent;
    expect(capped.system.at(-1)?.['cache_control']).toEqual(marker);
  });
});
