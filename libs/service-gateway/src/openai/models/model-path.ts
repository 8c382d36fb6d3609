import { ErrorCode, StrataError } from '@strata/contracts';

/** Longest model id accepted (OpenAI's, Hugging Face's and Azure deployment names are far shorter). */
const MAX_MODEL_ID_CHARS = 256;

/**
 * Characters a model id never holds: backslashes, `%` (an id arrives decoded once; a `%` left means an
 * encoded separator or dot), `?` and `#`, control characters, and anything outside printable ASCII that a
 * URL parser could fold into a separator.
 */
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const FORBIDDEN = /[\\%?#\u0000-\u001f\u007f]/;

function invalid(message: string): StrataError {
  return new StrataError(ErrorCode.InvalidRequest, message);
}

/**
 * The upstream path of `GET /v1/models/{id}`, for an id taken from the request path (decoded once).
 * Ids may hold `/` between non-empty segments (`meta-llama/Llama-3.1-8B`); no segment may be `.` or `..`,
 * and each is percent-encoded again, so the path cannot climb out of `/models/` however the upstream's
 * URL parser normalises it. Anything else is a 400.
 */
export function modelPath(id: string): string {
  if (id.length === 0) throw invalid('model id must not be empty');
  if (id.length > MAX_MODEL_ID_CHARS) throw invalid(`model id is longer than ${MAX_MODEL_ID_CHARS} characters`);
  if (FORBIDDEN.test(id))
    throw invalid('model id holds a character a model id never has (\\ % ? # or a control character)');
  const segments = id.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    throw invalid('model id must not hold empty, "." or ".." path segments');
  return `/models/${segments.map(encodeURIComponent).join('/')}`;
}

/**
 * The full upstream URL of a models call, checked to stay under the target's `/models` prefix: the
 * allow-list the proxy signs with the operator's key.
 */
export function modelsUrl(baseUrl: string, path: string): URL {
  const url = new URL(`${baseUrl}${path}`);
  const prefix = `${new URL(baseUrl).pathname.replace(/\/+$/, '')}/models`;
  if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`))
    throw invalid('model id does not name a model');
  return url;
}
