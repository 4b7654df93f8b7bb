import { UsageError } from '../errors.js';
import { escapeControls } from './escape.js';
import { jsonKind } from './json.js';

/** meshctl.yaml, its shape checked: every value as text, as a flag would give it (values are checked by the flags' own rules). */
export interface ConfigFile {
  cluster?: string;
  services?: string[];
  mesh?: string;
  virtualNode?: string;
  host?: string;
  envoyImage?: string;
  timeouts?: { wait?: string; verify?: string };
  interval?: string;
  concurrency?: string;
}

/** What a value may be written as: a string; a string or a number (a duration, a count); a list of strings; a mapping. */
type Kind = 'string' | 'scalar' | 'list' | { readonly [key: string]: Kind };

/** Every key meshctl.yaml may hold (docs/configuration.md lists them with the flags they stand for). */
export const CONFIG_KEYS = {
  cluster: 'string',
  services: 'list',
  mesh: 'string',
  virtualNode: 'string',
  host: 'string',
  envoyImage: 'string',
  timeouts: { wait: 'scalar', verify: 'scalar' },
  interval: 'scalar',
  concurrency: 'scalar',
} as const satisfies Record<string, Kind>;

/** Edit distance (insert, delete, replace, swap two neighbours): how far a typo is from a key. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Unknown keys of one mapping named one by one; the rest are counted. */
const MAX_UNKNOWN_SHOWN = 10;

/** Longer than any key meshctl.yaml knows by more than this, a key is no typo of one: it is not compared. */
const MAX_TYPO_EDITS = 2;

/**
 * The known key a typo most likely meant (case, `-`/`_` and up to two edits apart), or undefined. Only
 * keys of plausible length are compared: two edits change the length by two at most, and the distance
 * table costs both lengths multiplied (a 4 MiB key took minutes and gigabytes).
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const longest = Math.max(0, ...known.map((k) => k.length));
  if (key.length > longest + MAX_TYPO_EDITS) return undefined;
  const plain = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const exact = known.find((k) => plain(k) === plain(key));
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Math.min(MAX_TYPO_EDITS, Math.floor(key.length / 3));
  for (const k of known) {
    if (Math.abs(plain(key).length - plain(k).length) > bestDistance) continue;
    const n = distance(plain(key), plain(k));
    if (n <= bestDistance && (best === undefined || n < bestDistance)) [best, bestDistance] = [k, n];
  }
  return best;
}

const describe = (value: unknown) => (value === null ? 'no value' : jsonKind(value).replace('an object', 'a mapping'));
/** A key as a message shows it: quoted, escaped, and cut after 64 characters (a key may be megabytes long). */
const shown = (key: string) =>
  key.length > 64
    ? `${escapeControls(JSON.stringify(key.slice(0, 64)).slice(0, -1))}…" (${key.length} characters)`
    : escapeControls(JSON.stringify(key));

/**
 * Checks the parsed YAML of a config file against CONFIG_KEYS and returns it typed; `file` names it in
 * messages, with the key's path (`meshctl.yaml: timeouts.wait: ...`). Throws one UsageError with every problem.
 */
export function checkConfigFile(value: unknown, file: string): ConfigFile {
  const { config, problems } = configShape(value, file);
  if (problems.length) throw UsageError.of(problems);
  return config;
}

/** As checkConfigFile, but returns the problems (and the keys that have none) for a validation pass to report with others. */
export function configShape(value: unknown, file: string): { config: ConfigFile; problems: string[] } {
  const problems: string[] = [];
  // An empty file (or one with only comments) is a file that sets nothing.
  if (value === null || value === undefined) return { config: {}, problems };
  const walk = (node: unknown, kinds: { readonly [key: string]: Kind }, path: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      problems.push(
        `${file}: ${path ? `${path}: ` : ''}expected a mapping of keys (${Object.keys(kinds).join(', ')}), found ${describe(node)}`,
      );
      return out;
    }
    let unknown = 0;
    for (const [key, v] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(kinds, key)) {
        // A file of thousands of keys is not a config file with typos: the first few say so.
        if (++unknown > MAX_UNKNOWN_SHOWN) continue;
        const near = nearestKey(key, Object.keys(kinds));
        const hint = near ? ` (did you mean "${path ? `${path}.` : ''}${near}"?)` : '';
        problems.push(
          `${file}: unknown key ${shown(at)}${hint}; known keys${path ? ` under ${path}` : ''}: ${Object.keys(kinds).join(', ')}`,
        );
        continue;
      }
      const kind = kinds[key]!;
      if (typeof kind === 'object') out[key] = walk(v, kind, at);
      else {
        const checked = scalarOf(v, kind, `${file}: ${at}`, problems);
        if (checked !== undefined) out[key] = checked;
      }
    }
    if (unknown > MAX_UNKNOWN_SHOWN)
      problems.push(`${file}: ${unknown - MAX_UNKNOWN_SHOWN} more unknown keys${path ? ` under ${path}` : ''}; is it the right file?`);
    return out;
  };
  return { config: walk(value, CONFIG_KEYS, '') as ConfigFile, problems };
}

/** A value of one of the leaf kinds, as text; a problem is pushed (and undefined returned) when it is not. */
function scalarOf(v: unknown, kind: Exclude<Kind, object>, at: string, problems: string[]): string | string[] | undefined {
  if (kind === 'list') {
    if (!Array.isArray(v) || v.length === 0) {
      problems.push(
        `${at}: expected a list of names (services: [orders, payments]), found ${Array.isArray(v) ? 'an empty list' : describe(v)}`,
      );
      return undefined;
    }
    const bad = v.findIndex((item) => typeof item !== 'string');
    if (bad >= 0) {
      problems.push(`${at}[${bad}]: expected a name, found ${describe(v[bad])}`);
      return undefined;
    }
    return v as string[];
  }
  if (typeof v === 'string') return v;
  if (kind === 'scalar' && typeof v === 'number' && Number.isFinite(v)) return String(v);
  const quote = typeof v === 'number' || typeof v === 'boolean' ? ' (put it in quotes)' : '';
  problems.push(`${at}: expected ${kind === 'string' ? 'a string' : 'a string or a number'}, found ${describe(v)}${quote}`);
  return undefined;
}
