/** Text of a message's content: the string itself, or its text parts joined by newlines. */
export function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  let text: string | undefined;
  for (const part of content as unknown[]) {
    if (!part || typeof part !== 'object') continue;
    const p = part as { type?: unknown; text?: unknown };
    if (p.type !== 'text') return undefined; // images, audio, files: not comparable as text
    if (typeof p.text === 'string') text = text === undefined ? p.text : `${text}\n${p.text}`;
  }
  return text;
}
