import { ErrorCode, type FeedbackVerdict, StrataError, entryIdSchema } from '@strata/contracts';
import { type FeedbackTarget } from './hit-feedback';

/** The header a proxy client sends on a later request: `wrong; entry=<entry id>` or `right; request=<request id>`. */
export const FEEDBACK_HEADER = 'x-strata-feedback';

interface HeaderFeedback {
  readonly verdict: FeedbackVerdict;
  readonly target: FeedbackTarget;
}

const MAX_HEADER_LENGTH = 512;

function invalid(message: string): StrataError {
  return new StrataError(
    ErrorCode.InvalidRequest,
    `${FEEDBACK_HEADER}: ${message}; expected "wrong; entry=<entry id>" or "right; request=<request id>"`,
  );
}

/** Parses `X-Strata-Feedback`; a malformed value is a 400 (never ignored silently). */
export function parseFeedbackHeader(value: string): HeaderFeedback {
  if (value.length > MAX_HEADER_LENGTH) throw invalid('too long');
  const [head, ...params] = value.split(';').map((part) => part.trim());
  const verdict = head?.toLowerCase();
  if (verdict !== 'wrong' && verdict !== 'right') throw invalid(`unknown verdict ${JSON.stringify(head ?? '')}`);
  const named = new Map<string, string>();
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq <= 0) throw invalid(`malformed parameter ${JSON.stringify(param)}`);
    const key = param.slice(0, eq).trim().toLowerCase();
    if (named.has(key)) throw invalid(`${key} given twice`);
    named.set(
      key,
      param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  const entry = named.get('entry');
  const request = named.get('request');
  if ([...named.keys()].some((key) => key !== 'entry' && key !== 'request')) throw invalid('unknown parameter');
  if ((entry === undefined) === (request === undefined)) throw invalid('give entry= or request=, one of them');
  if (entry !== undefined) {
    if (!entryIdSchema.safeParse(entry).success) throw invalid('entry must be a UUID');
    return { verdict, target: { entryId: entry.toLowerCase() } };
  }
  if (request === undefined || request.length === 0 || request.length > 256)
    throw invalid('request id of 1–256 characters');
  return { verdict, target: { requestId: request } };
}
