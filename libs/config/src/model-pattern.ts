/** A model-name pattern from the config: a plain name, or with `*` wildcards (e.g. `gpt-4o*`). */
type ModelMatcher = (model: string) => boolean;

export function modelMatcher(pattern: string): ModelMatcher {
  if (!pattern.includes('*')) return (model) => model === pattern;
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (model) => regex.test(model);
}

/** First match wins, except that an exact name always beats a wildcard. */
export function firstMatch<T>(entries: readonly (readonly [string, T])[]): (model: string) => T | undefined {
  const exact = new Map<string, T>();
  const wild: [ModelMatcher, T][] = [];
  for (const [pattern, value] of entries) {
    if (pattern.includes('*')) wild.push([modelMatcher(pattern), value]);
    else if (!exact.has(pattern)) exact.set(pattern, value);
  }
  return (model) => {
    const found = exact.get(model);
    if (found !== undefined) return found;
    for (const [matches, value] of wild) if (matches(model)) return value;
    return undefined;
  };
}
