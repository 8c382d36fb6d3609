const LINE_ENDINGS = /\r\n?/g;
const HORIZONTAL_RUNS = /[ \t\f\v\u00a0]+/g;
const SPACE_AROUND_NEWLINES = / ?\n ?/g;
const BLANK_LINE_RUNS = /\n{3,}/g;

/**
 * Whitespace-insensitive text: line endings → `\n`, runs of spaces/tabs → one space, no spaces at line
 * edges, at most one blank line in a row, trimmed. Letters, case and punctuation are kept: they can change
 * what a model answers.
 */
/** Anything `normaliseText` would change; most texts have none of it, and are returned as they are. */
const NEEDS_NORMALISING = /[\r\t\f\v\u00a0]| {2}| \n|\n |\n{3}|^\s|\s$/;

export function normaliseText(text: string): string {
  if (!NEEDS_NORMALISING.test(text)) return text;
  return text
    .replace(LINE_ENDINGS, '\n')
    .replace(HORIZONTAL_RUNS, ' ')
    .replace(SPACE_AROUND_NEWLINES, '\n')
    .replace(BLANK_LINE_RUNS, '\n\n')
    .trim();
}
