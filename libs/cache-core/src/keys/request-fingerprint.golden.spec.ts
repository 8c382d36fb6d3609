import { KEY_SCHEME_VERSION, entryIdFromKey, fingerprintRequest } from './request-fingerprint';

/**
 * Exact keys are stored in L2 and every gateway's L1: a release that derives a different key for the same request
 * silently misses every cached answer (and, worse, two releases side by side split the cache). These hashes are
 * pinned: a change to the key scheme must bump KEY_SCHEME_VERSION and update them in the same commit.
 */
describe('request fingerprint (golden, key scheme v3)', () => {
  it('is key scheme version 3', () => {
    expect(KEY_SCHEME_VERSION).toBe(3);
  });

  it('keys a chat request as every earlier release of this scheme did', () => {
    const fp = fingerprintRequest({
      tenant: 'acme',
      namespace: 'default',
      namespaceVersion: 1,
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are the support bot of a shoe shop.' },
        { role: 'user', content: 'How long do I have to return shoes?' },
      ],
      params: { temperature: 0 },
    });

    expect(fp).toEqual({
      exactKey: 'b14cf6e4b8253287bf9f0592dace6b1d829a37d01e3a587da719b2eef8878eee',
      contextHash: '0fcbb91c987539d78d85d33fb18a298587f7cf1f63290f1401011628e4f8ea80',
      query: 'How long do I have to return shoes?',
    });
    expect(entryIdFromKey(fp.exactKey)).toBe('b14cf6e4-b825-8287-bf9f-0592dace6b1d');
  });

  it('keys a prompt request (output-neutral params left out) as every earlier release of this scheme did', () => {
    const fp = fingerprintRequest({
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: 2,
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say hello',
      params: { temperature: 0, max_tokens: 16, user: 'u-1' },
    });

    expect(fp).toEqual({
      exactKey: '463ee939e87d71b990addee53ccdc04fbd7bae4702a0f4a1729d5d09c66c87ec',
      contextHash: '174a3aa06261cd61c614b13c6c2fdca3a2c36dbe6a091929ecd936a2c9edc59f',
      query: 'Say hello',
    });
  });

  it('keys an Anthropic Messages request as every earlier release of this scheme did', () => {
    const fp = fingerprintRequest({
      api: 'anthropic',
      tenant: 'globex',
      namespace: 'default',
      namespaceVersion: 1,
      model: 'claude-sonnet-4',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] }],
      params: { temperature: 0, max_tokens: 64 },
    });

    expect(fp).toEqual({
      exactKey: '8ded30f2099da8d087476ef345912cbbddfb8260d7b7966ebf4d7b40683229a7',
      contextHash: 'ce6fb5a8cf1fd156510c9475c3b79596edd862a172f7a2ef81afd6335dd68f16',
      query: 'What is the capital of France?',
    });
  });
});
