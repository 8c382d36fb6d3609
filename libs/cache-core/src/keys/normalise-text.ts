const LINE_ENDINGS = /\r\n?/g;
/** A run of blanks between two non-blank characters of a line (indentation is never touched). */
const INNER_RUNS = /(\S)[ \t\f\v\u00a0]+(?=\S)/g;
const TRAILING_BLANKS = /[ \t\f\v\u00a0]+$/gm;
const BLANK_LINE_RUNS = /\n{3,}/g;

/** Anything `normaliseText` would change; most texts have none of it, and are returned as they are. */
const NEEDS_NORMALISING = /\r|\S[ \t\f\v\u00a0]{2,}\S|\S[\t\f\v\u00a0]\S|[ \t\f\v\u00a0]\n|\n{3}|^\s|\s$/;

/**
 * Whitespace-insensitive text, where whitespace carries no meaning: line endings → `\n`, runs of blanks
 * inside a line → one space, no blanks at line ends, at most one blank line in a row, trimmed. Indentation
 * is kept (it is meaning in YAML and Python), and so are letters, case and punctuation.
 */
export function normaliseText(text: string): string {
  if (!NEEDS_NORMALISING.test(text)) return text;
  return text
    .replace(LINE_ENDINGS, '\n')
    .replace(INNER_RUNS, '$1 ')
    .replace(TRAILING_BLANKS, '')
    .replace(BLANK_LINE_RUNS, '\n\n')
    .trim();
}
