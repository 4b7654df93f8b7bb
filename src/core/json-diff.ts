export type Change =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string; value: unknown }
  | { op: 'change'; path: string; from: unknown; to: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Two JSON values in; the changes from `a` to `b` out, as paths like `containerDefinitions[1].name`.
 * Array items are matched by their `name` when every item has one (containers, environment), else by index.
 */
export function diffJson(a: unknown, b: unknown, path = ''): Change[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in b)) return [{ op: 'remove' as const, path: p, value: a[k] }];
      if (!(k in a)) return [{ op: 'add' as const, path: p, value: b[k] }];
      return diffJson(a[k], b[k], p);
    });
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const named = (xs: unknown[]) => xs.every((x) => isObject(x) && typeof x.name === 'string');
    if (named(a) && named(b)) {
      const byName = (xs: unknown[]) => new Map(xs.map((x, i) => [(x as { name: string }).name, i]));
      const ia = byName(a);
      const ib = byName(b);
      const changes: Change[] = [];
      for (const [name, i] of ia) {
        const j = ib.get(name);
        if (j === undefined) changes.push({ op: 'remove', path: `${path}[${i}]`, value: a[i] });
        else changes.push(...diffJson(a[i], b[j], `${path}[${j}]`));
      }
      for (const [name, j] of ib) if (!ia.has(name)) changes.push({ op: 'add', path: `${path}[${j}]`, value: b[j] });
      return changes;
    }
    const changes: Change[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) changes.push({ op: 'remove', path: `${path}[${i}]`, value: a[i] });
      else if (i >= a.length) changes.push({ op: 'add', path: `${path}[${i}]`, value: b[i] });
      else changes.push(...diffJson(a[i], b[i], `${path}[${i}]`));
    }
    return changes;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ op: 'change', path, from: a, to: b }];
}

/** One line per change: `+ path: value`, `- path: value`, `~ path: old -> new`. */
export function formatChanges(changes: readonly Change[]): string[] {
  return changes.map((c) => {
    if (c.op === 'add') return `+ ${c.path}: ${JSON.stringify(c.value)}`;
    if (c.op === 'remove') return `- ${c.path}: ${JSON.stringify(c.value)}`;
    return `~ ${c.path}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`;
  });
}
