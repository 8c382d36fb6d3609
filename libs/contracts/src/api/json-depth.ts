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
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return deepest;
    }
    const children = Array.isArray(node) ? (node as unknown[]) : Object.values(node as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}
