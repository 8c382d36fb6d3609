import { type ChatMessageLike, type FingerprintInput, fingerprintRequest } from './request-fingerprint';
import { isSmallTalk, isSmallTalkReply, substantiveTurns } from './small-talk';

const system = { role: 'system', content: 'You are the support bot of a shoe shop.' };
const question = { role: 'user', content: 'How long do I have to return shoes?' };
const request = (messages: ChatMessageLike[]): FingerprintInput => ({
  tenant: 'acme',
  namespace: 'support',
  namespaceVersion: 1,
  model: 'gpt-4o-mini',
  messages,
  params: { temperature: 0 },
});
const context = (...messages: ChatMessageLike[]): string => fingerprintRequest(request(messages)).contextHash;

describe('multi-turn small talk', () => {
  const singleTurn = context(system, question);

  it('shares the single-turn context when a greeting and its reply come first', () => {
    expect(
      context(
        system,
        { role: 'user', content: 'Hi there!' },
        { role: 'assistant', content: 'Hello! How can I help you today?' },
        question,
      ),
    ).toBe(singleTurn);
    expect(
      context(
        system,
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'Hi, glad to help. What do you need?' },
        question,
      ),
    ).toBe(singleTurn);
  });

  it('shares it with an opening assistant greeting, and with thanks between questions of small talk', () => {
    expect(context(system, { role: 'assistant', content: 'Welcome to the shoe shop!' }, question)).toBe(singleTurn);
    expect(context(system, { role: 'user', content: 'Thanks a lot!' }, question)).toBe(singleTurn);
  });

  it('keeps the exact key apart: only the semantic partition is shared', () => {
    const greeted = fingerprintRequest(request([system, { role: 'user', content: 'Hi' }, question]));
    const plain = fingerprintRequest(request([system, question]));
    expect(greeted.exactKey).not.toBe(plain.exactKey);
    expect(greeted.query).toBe(plain.query);
  });

  it('keeps every substantive earlier turn in the context, a reworded answer included', () => {
    const asked = { role: 'user', content: 'Name three shoe brands you sell.' };
    const answer = context(system, asked, { role: 'assistant', content: 'Nike, Adidas and Puma.' }, question);
    const reworded = context(system, asked, { role: 'assistant', content: 'We sell Puma, Nike and Adidas.' }, question);
    expect(answer).not.toBe(singleTurn);
    expect(reworded).not.toBe(answer);
  });

  it('keeps a greeting reply that says something a later question could refer to', () => {
    const hi = { role: 'user', content: 'Hi' };
    expect(
      context(system, hi, { role: 'assistant', content: 'Hello! Today: 2 pairs for the price of 1.' }, question),
    ).not.toBe(singleTurn);
    expect(
      context(
        system,
        hi,
        { role: 'assistant', content: 'Hello! We sell boots - sandals - sneakers. How can I help?' },
        question,
      ),
    ).not.toBe(singleTurn);
  });

  it('keeps named, multimodal and tool turns, and system prompts, whatever they say', () => {
    expect(context(system, { role: 'user', content: 'Hi', name: 'bob' }, question)).not.toBe(singleTurn);
    expect(
      context(system, { role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }, question),
    ).not.toBe(singleTurn);
    expect(context({ role: 'system', content: 'Hi' }, question)).not.toBe(context(question));
  });

  it('does not take a question for small talk', () => {
    for (const text of [
      'Hi, how do I return shoes?',
      'thanks, and for sandals?',
      'ok',
      'you',
      'how are returns handled',
    ]) {
      expect([text, isSmallTalk(text)]).toEqual([text, text === 'ok']);
    }
    expect(isSmallTalk('Good morning!')).toBe(true);
    expect(isSmallTalk('Thank you so much')).toBe(true);
    expect(isSmallTalkReply('Sure.')).toBe(false);
    expect(isSmallTalkReply('Hello! How can I assist you?')).toBe(true);
  });

  it('returns the same array when nothing is left out', () => {
    const turns = [system, { role: 'user', content: 'Do you ship abroad?' }, { role: 'assistant', content: 'Yes.' }];
    expect(substantiveTurns(turns)).toBe(turns);
  });
});
