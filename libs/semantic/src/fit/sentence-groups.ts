/**
 * Union-find over sentences (lower-cased, blanks folded): each pair gets the hash of its group's root
 * sentence, so pairs sharing a sentence, directly or transitively, land on the same side of the split.
 */
export function sentenceGroups(pairs: readonly (readonly [string, string])[]): number[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    for (let node = x; node !== root;) {
      const next = parent.get(node) ?? root;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const key = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const [a, b] of pairs) {
    for (const text of [key(a), key(b)]) if (!parent.has(text)) parent.set(text, text);
    const ra = find(key(a));
    const rb = find(key(b));
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  return pairs.map(([a]) => fnv1a(find(key(a))));
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
