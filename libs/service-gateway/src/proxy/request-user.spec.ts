import { requestUser } from './request-user';

describe('requestUser', () => {
  it('takes the OpenAI `user` field, and Anthropic `metadata.user_id`', () => {
    expect(requestUser('openai', { user: 'alice' }, {})).toBe('alice');
    expect(requestUser('anthropic', { metadata: { user_id: 'bob' } }, {})).toBe('bob');
    // Each API's own field only: an Anthropic body's top-level `user` is not its user id.
    expect(requestUser('anthropic', { user: 'alice' }, {})).toBeUndefined();
    expect(requestUser('openai', { metadata: { user_id: 'bob' } }, {})).toBeUndefined();
  });

  it('prefers the X-Strata-User header over the body', () => {
    expect(requestUser('openai', { user: 'alice' }, { 'x-strata-user': 'carol' })).toBe('carol');
    expect(requestUser('anthropic', { metadata: { user_id: 'bob' } }, { 'x-strata-user': 'carol' })).toBe('carol');
  });

  it('names no user for empty, non-string or oversized ids (such requests bypass a user-scoped namespace)', () => {
    expect(requestUser('openai', {}, {})).toBeUndefined();
    expect(requestUser('openai', { user: '' }, {})).toBeUndefined();
    expect(requestUser('openai', { user: 42 }, {})).toBeUndefined();
    expect(requestUser('openai', { user: 'x'.repeat(257) }, {})).toBeUndefined();
    expect(requestUser('anthropic', { metadata: null }, {})).toBeUndefined();
  });
});
