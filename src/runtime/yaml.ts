import { escapeControls } from '../core/escape.js';
import { InputError, UsageError } from '../errors.js';

/** yaml, loaded only when a YAML file is read (as a bundled CommonJS package its exports sit on default). */
export async function loadYaml(): Promise<typeof import('yaml')> {
  const mod = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  return typeof mod.parse === 'function' ? mod : mod.default!;
}

type Yaml = typeof import('yaml');
type Tags = NonNullable<import('yaml').DocumentOptions & import('yaml').SchemaOptions>['customTags'];

/** Where a node starts, and its path in the document (`services[0]`, `timeouts.wait`). */
interface Place {
  start: number;
  path: string;
}

/** A key as a path shows it: escaped, and cut (a key may be megabytes long). */
const keyText = (key: unknown) => {
  const text = escapeControls(String(key));
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
};

/** Every node of the document with its path, in document order. */
function placesOf(yaml: Yaml, node: unknown, path: string, out: Place[]): Place[] {
  const start = (n: unknown) => (n as { range?: [number] }).range?.[0] ?? -1;
  if (!yaml.isNode(node)) return out;
  out.push({ start: start(node), path });
  if (yaml.isMap(node)) {
    for (const pair of node.items) {
      const key = yaml.isScalar(pair.key) ? keyText(pair.key.value) : '?';
      const at = path ? `${path}.${key}` : key;
      if (yaml.isNode(pair.key)) out.push({ start: start(pair.key), path: at });
      placesOf(yaml, pair.value, at, out);
    }
  } else if (yaml.isSeq(node)) node.items.forEach((item, i) => placesOf(yaml, item, `${path}[${i}]`, out));
  return out;
}

/**
 * Parses YAML (or JSON) read from `source` (a file name, for messages): every problem is meshctl's
 * own message, never the library's text printed raw. A warning of the library is an error too: an
 * unknown tag (`cluster: !foo c`) would otherwise be printed with its source line and the value taken
 * as if untagged. `what` names the format in messages (`YAML`, `YAML or JSON`); `customTags` are the
 * tags the file may use (a CloudFormation template's !Ref, !Sub, …). At most 100 aliases are expanded.
 */
export async function parseYaml(text: string, source: string, what: string, customTags?: Tags): Promise<unknown> {
  const yaml = await loadYaml();
  const name = escapeControls(source);
  const bad = (why: string) => new InputError(`${name}: not valid ${what} (${escapeControls(why)})`);
  const firstLine = (message: string) => (message.split('\n')[0] ?? '').replace(/:$/, '');
  let doc: import('yaml').Document.Parsed;
  try {
    doc = yaml.parseDocument(text.replace(/^\uFEFF/, ''), { logLevel: 'silent', customTags, prettyErrors: true });
  } catch (err) {
    throw bad(/call stack/i.test((err as Error).message) ? 'nested too deeply' : firstLine((err as Error).message));
  }
  const [error] = doc.errors;
  if (error) throw bad(firstLine(error.message));
  if (doc.warnings.length) {
    const places = placesOf(yaml, doc.contents, '', []);
    const problems = doc.warnings.map((w) => {
      // The warning points at the tag; the node it tags starts at or after its end.
      const after = places.filter((p) => p.start >= w.pos[1]).sort((a, b) => a.start - b.start)[0];
      const at = `${after?.path || '(the top)'} (line ${w.linePos?.[0].line ?? '?'})`;
      const tag = /^Unresolved tag: (\S+)/.exec(w.message)?.[1];
      if (tag === undefined) return `${name}: ${at}: ${escapeControls(firstLine(w.message))}`;
      const allowed = customTags
        ? "only CloudFormation's short forms (!Ref, !Sub, !GetAtt, …) are read"
        : 'remove it: meshctl reads plain values';
      return `${name}: ${at}: unknown tag "${escapeControls(tag)}"; ${allowed}`;
    });
    throw problems.length === 1 ? new InputError(problems[0]!) : UsageError.of(problems);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw bad(/call stack/i.test((err as Error).message) ? 'nested too deeply' : firstLine((err as Error).message));
  }
}
