import { contentText } from './content-text';
import { type ChatMessageLike } from './request-fingerprint';

/**
 * Multi-turn tolerance: which earlier turns of a conversation can be left out of its semantic context
 * because they cannot change the answer to the question that follows. Only small talk qualifies — a
 * greeting, thanks or an acknowledgement from the user, and the assistant's brief reply to it (or its
 * opening "How can I help?"). Any other earlier turn stays in the context, exactly: a follow-up such as
 * "what about the second one?" depends on every word the assistant said before, so a reworded answer
 * (another sample of the same question) is a different context, not a harmless difference.
 */

/** A small-talk turn has one of these (so "you", "it" or "so" alone is not small talk). */
const SMALL_TALK_CORE: ReadonlySet<string> = new Set([
  'hi',
  'hello',
  'hey',
  'hiya',
  'howdy',
  'greetings',
  'yo',
  'morning',
  'afternoon',
  'evening',
  'thanks',
  'thank',
  'thx',
  'ty',
  'ok',
  'okay',
  'cheers',
  'appreciate',
  'appreciated',
]);
/** Words a small-talk user turn is made of, and nothing else ("hi there", "thanks a lot!", "ok great"). */
const SMALL_TALK_WORDS: ReadonlySet<string> = new Set([
  ...SMALL_TALK_CORE,
  ...[
    'good',
    'day',
    'there',
    'again',
    'you',
    'so',
    'very',
    'much',
    'a',
    'lot',
    'great',
    'cool',
    'nice',
    'perfect',
    'awesome',
    'sure',
    'it',
    'how',
    'are',
    'is',
    'everything',
    'going',
    'doing',
    'today',
    'bot',
    'assistant',
  ],
]);
const MAX_SMALL_TALK_WORDS = 8;

/** An assistant's reply to small talk: short, a greeting or an offer of help, nothing it could be asked about. */
const REPLY_CORE: ReadonlySet<string> = new Set([
  'hi',
  'hello',
  'hey',
  'welcome',
  'help',
  'assist',
  'glad',
  'pleasure',
  'happy',
]);
const MAX_REPLY_WORDS = 20;
/** Digits, lists, code or several lines: something a later question could refer to. */
const SUBSTANCE = /[0-9\n`*:;]|\s-\s/;
const WORD = /[\p{L}']+/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Plain text of a message that has nothing but a role and text content; undefined otherwise. */
function plainText(message: ChatMessageLike): string | undefined {
  for (const key of Object.keys(message)) if (key !== 'role' && key !== 'content') return undefined;
  return contentText(message.content);
}

/** "hi", "hello there!", "thanks a lot", "ok great": a user turn that asks nothing. */
export function isSmallTalk(text: string): boolean {
  const tokens = words(text);
  if (tokens.length === 0 || tokens.length > MAX_SMALL_TALK_WORDS) return false;
  return tokens.every((t) => SMALL_TALK_WORDS.has(t)) && tokens.some((t) => SMALL_TALK_CORE.has(t));
}

/** "Hello! How can I help you today?": a short greeting or offer of help with nothing to refer back to. */
export function isSmallTalkReply(text: string): boolean {
  if (SUBSTANCE.test(text)) return false;
  const tokens = words(text);
  return tokens.length > 0 && tokens.length <= MAX_REPLY_WORDS && tokens.some((t) => REPLY_CORE.has(t));
}

/**
 * The earlier turns that define a conversation's semantic context: `earlier` without the user's small talk,
 * the assistant's small-talk reply to it, and an opening assistant greeting. System and developer messages,
 * tool calls and results, named or multimodal messages are always kept. Returns `earlier` itself when
 * nothing is left out (the common case: no allocation).
 */
export function substantiveTurns<T extends ChatMessageLike>(earlier: readonly T[]): readonly T[] {
  let kept: T[] | undefined;
  let afterSmallTalk = false;
  let userSpoke = false;
  for (let i = 0; i < earlier.length; i++) {
    const message = earlier[i];
    const text = plainText(message);
    let drop = false;
    if (message.role === 'user' && text !== undefined && isSmallTalk(text)) drop = true;
    else if (
      message.role === 'assistant' &&
      text !== undefined &&
      (afterSmallTalk || !userSpoke) &&
      isSmallTalkReply(text)
    ) {
      drop = true;
    }
    if (message.role === 'user') userSpoke = true;
    afterSmallTalk = drop && message.role === 'user';
    if (drop && kept === undefined) kept = earlier.slice(0, i);
    else if (!drop && kept !== undefined) kept.push(message);
  }
  return kept ?? earlier;
}
