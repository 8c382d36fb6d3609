import { type JsonValue } from '@strata/contracts';
import { openAiChatFormat } from './formats/openai-chat/openai-chat.format';
import { RenderedAnswers } from './rendered-answers';

const completion: JsonValue = {
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [
    { index: 0, message: { role: 'assistant', content: 'hi', refusal: null }, logprobs: null, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};

describe(RenderedAnswers.name, () => {
  it('renders a completion as JSON and as SSE, once per answer object', () => {
    const sut = new RenderedAnswers(openAiChatFormat());
    const json = sut.json(completion);
    expect(JSON.parse(json!)).toEqual(completion);
    expect(sut.json(completion)).toBe(json);
    const sse = sut.sse(completion, false)!;
    expect(sse.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(sse).not.toContain('"usage"');
    expect(sut.sse(completion, true)).toContain('"usage"');
    expect(sut.sse(completion, false)).toBe(sse);
  });

  it('has nothing to render for an answer that is not a chat answer', () => {
    const sut = new RenderedAnswers(openAiChatFormat());
    expect(sut.json({ answer: '30 days' })).toBeUndefined();
    expect(sut.sse({ answer: '30 days' }, false)).toBeUndefined();
    expect(sut.json('text')).toBeUndefined();
  });
});
