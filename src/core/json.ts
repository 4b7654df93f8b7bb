import { InputError } from '../errors.js';
import { escapeControls } from './escape.js';

/** Deeper than anything meshctl reads (a described task definition nests under 10 levels): deeper input is a mistake, or meant to overflow the stack. */
export const MAX_JSON_DEPTH = 64;

export type PathPart = string | number;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Path parts in; the path as the user writes it out: `taskDefinition.containerDefinitions[0].name`, `tags["a b"]`. */
export function jsonPath(parts: readonly PathPart[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (IDENTIFIER.test(p)) out += out ? `.${p}` : p;
    else out += `[${escapeControls(JSON.stringify(p))}]`;
  }
  return out;
}

/** A JSON value in; what it is, for a message, out: an object, a list, a string, a number, a boolean, null. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

export const isJsonObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Frame {
  value: object;
  depth: number;
  key?: PathPart;
  parent?: Frame;
}

const PATH_SHOWN = 8;

/**
 * Parsed JSON in; throws an InputError naming `source` and the path when it nests deeper than `max`.
 * It walks with a list of its own, not the call stack, so it cannot overflow either.
 */
export function checkJsonDepth(value: unknown, source: string, max = MAX_JSON_DEPTH): void {
  if (value === null || typeof value !== 'object') return;
  const stack: Frame[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > max) {
      const parts: PathPart[] = [];
      for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) parts.unshift(f.key);
      const shown = jsonPath(parts.slice(0, PATH_SHOWN)) + (parts.length > PATH_SHOWN ? '…' : '');
      throw new InputError(`${source}: ${shown}: nested deeper than ${max} levels; is this the right file?`);
    }
    const children: [PathPart, unknown][] = Array.isArray(frame.value)
      ? frame.value.map((v: unknown, i) => [i, v])
      : Object.entries(frame.value);
    // Pushed last to first, so that the first too-deep path in the file is the one named.
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, child] = children[i]!;
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, key, parent: frame });
    }
  }
}
