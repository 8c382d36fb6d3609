import { type TemperaturePolicy } from './namespace-policy';

export type Cacheability =
  | { readonly cacheable: true }
  | { readonly cacheable: false; readonly reason: 'temperature' | 'namespace-never' | 'multiple-choices' };

const CACHEABLE: Cacheability = { cacheable: true };

/**
 * Whether a request may be served from, and stored in, the cache.
 *
 * `deterministic-only` (default): only temperature 0. An unset temperature defaults to a non-zero,
 * sampling value at OpenAI, Anthropic, Azure, vLLM and Ollama, so it is not cacheable either.
 * `n > 1` asks for several different samples: never cacheable.
 */
export function cacheability(
  policy: TemperaturePolicy,
  params: Readonly<Record<string, unknown>> | undefined,
): Cacheability {
  if (policy === 'never') return { cacheable: false, reason: 'namespace-never' };
  const n = params?.['n'];
  if (typeof n === 'number' && n > 1) return { cacheable: false, reason: 'multiple-choices' };
  if (policy === 'always') return CACHEABLE;
  return params?.['temperature'] === 0 ? CACHEABLE : { cacheable: false, reason: 'temperature' };
}
