/**
 * Deepest nesting of arrays and objects Strata accepts in any JSON it is given or stores (request bodies,
 * params, messages, responses). Real requests stay far below it (an OpenAI response is ~5 levels, a JSON
 * schema in `response_format` a few dozen); recursive code (canonical keys, serialising a reply) stays far
 * from the stack limit.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * How deep `value` nests, counting each array or object as one level, or `limit + 1` as soon as it is
 * deeper than `limit`. Iterative: any depth is measured without recursion.
 */
export function jsonDepth(value: unknown, limit: number = MAX_JSON_DEPTH): number {
  if (value === null || typeof value !== 'object') return 0;
  // Two parallel stacks (no tuple per node): this runs on every request body.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  let deepest = 0;
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return deepest;
    }
    if (Array.isArray(node)) {
      for (const child of node as unknown[]) {
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      const record = node as Record<string, unknown>;
      for (const key in record) {
        const child = record[key];
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return deepest;
}
