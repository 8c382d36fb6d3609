import { promptCacheKey } from './openai-prompt-cache-key';

const body = (system: string, question: string, model = 'gpt-4o') => ({
  model,
  messages: [
    { role: 'system', content: system },
    { role: 'user', content: question },
  ],
});

describe(promptCacheKey.name, () => {
  it('is the same for requests sharing model and stable prefix, whatever the question', () => {
    expect(promptCacheKey('acme', body('You are a shop bot.', 'Shoes?'))).toBe(
      promptCacheKey('acme', body('You are a shop bot.', 'Socks?')),
    );
    expect(promptCacheKey('acme', body('You are a shop bot.', 'Shoes?'))).toMatch(/^strata-[0-9a-f]{40}$/);
  });

  it('differs by tenant, system prompt, tools and model, and never shows the tenant', () => {
    const base = promptCacheKey('acme', body('You are a shop bot.', 'Shoes?'));
    expect(promptCacheKey('globex', body('You are a shop bot.', 'Shoes?'))).not.toBe(base);
    expect(promptCacheKey('acme', body('You are a bank bot.', 'Shoes?'))).not.toBe(base);
    expect(promptCacheKey('acme', body('You are a shop bot.', 'Shoes?', 'gpt-4o-mini'))).not.toBe(base);
    expect(
      promptCacheKey('acme', {
        ...body('You are a shop bot.', 'Shoes?'),
        tools: [{ type: 'function', function: { name: 'f' } }],
      }),
    ).not.toBe(base);
    expect(base).not.toContain('acme');
  });

  it('is undefined for a request with no stable prefix', () => {
    expect(promptCacheKey('acme', { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })).toBeUndefined();
  });
});
