import type { MeshProtocol } from '../protocol.js';
import { InputError } from '../../errors.js';
import { APP_MESH_NAME } from './description.js';
import type { Listener, HealthCheck } from './file.js';
import { Obj, isObj, Shape, BIG, HEALTH_THRESHOLDS, compact } from './shapes.js';

const NAME = APP_MESH_NAME;
export const at = (path: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/** Validates one value at a path; every failure names the path in the file. */
export class FileReader {
  constructor(readonly file: string) {}
  fail(path: string, message: string): never {
    throw new InputError(`${this.file}: ${path}: ${message}`);
  }
  obj(v: unknown, path: string): Obj {
    if (!isObj(v)) this.fail(path, 'must be an object');
    return v;
  }
  only(o: Obj, path: string, keys: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!keys.includes(k)) this.fail(path ? at(path, k) : k, `unknown field; expected one of ${keys.join(', ')}`);
  }
  arr(v: unknown, path: string, optional = true): unknown[] {
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) this.fail(path, 'must be a list');
    return v;
  }
  name(v: unknown, path: string): string {
    if (typeof v !== 'string' || !NAME.test(v)) this.fail(path, `must be a name (letters, digits, . _ -), found ${JSON.stringify(v)}`);
    return v;
  }
  int(v: unknown, path: string, min: number, max: number, fallback?: number): number {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(path, `must be a whole number from ${min} to ${max}, found ${JSON.stringify(v)}`);
    return v;
  }
  oneOf<T extends string>(v: unknown, path: string, values: readonly T[], fallback?: T): T {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !values.includes(v as T))
      this.fail(path, `must be one of ${values.join(', ')}, found ${JSON.stringify(v)}`);
    return v as T;
  }
  prefix(v: unknown, path: string): string {
    if (typeof v !== 'string' || !v.startsWith('/')) this.fail(path, `must be a path prefix starting with /, found ${JSON.stringify(v)}`);
    return v;
  }
  /** A value of one of SHAPES, copied with only its fields; undefined stays undefined. */
  shape<T>(s: Shape, v: unknown, path: string): T | undefined {
    return v === undefined ? undefined : (this.check(s, v, path) as T);
  }
  private check(s: Shape, v: unknown, path: string): unknown {
    switch (s.kind) {
      case 'int':
        return this.int(v, path, s.min, s.max);
      case 'text':
        if (typeof v !== 'string' || v === '') this.fail(path, `must be a non-empty string, found ${JSON.stringify(v)}`);
        return v;
      case 'bool':
        if (typeof v !== 'boolean') this.fail(path, 'must be true or false');
        return v;
      case 'enum':
        return this.oneOf(v, path, s.values);
      case 'list': {
        const items = this.arr(v, path, false);
        if (items.length < s.min || items.length > s.max)
          this.fail(path, `needs ${s.max === BIG ? `at least ${s.min}` : `${s.min} to ${s.max}`} item(s), found ${items.length}`);
        return items.map((x, i) => this.check(s.of, x, `${path}[${i}]`));
      }
      case 'object': {
        const o = this.obj(v, path);
        const keys = Object.keys(s.fields);
        this.only(o, path, keys);
        const given = keys.filter((k) => o[k] !== undefined);
        if (s.union && given.length !== 1)
          this.fail(path, `needs exactly one of ${keys.join(', ')}${given.length ? `, found ${given.join(' and ')}` : ''}`);
        for (const k of s.required) if (o[k] === undefined) this.fail(at(path, k), 'is required');
        if (s.anyOf && !s.anyOf.some((k) => o[k] !== undefined)) this.fail(path, `needs at least one of ${s.anyOf.join(', ')}`);
        return Object.fromEntries(given.map((k) => [k, this.check(s.fields[k]!, o[k], at(path, k))]));
      }
    }
  }
  /** A timeout or connection pool: App Mesh keys it by protocol, which must be the listener's. */
  byProtocol<T>(s: Shape, v: unknown, path: string, protocol: MeshProtocol): T | undefined {
    const value = this.shape<Obj>(s, v, path);
    const key = value && Object.keys(value)[0];
    if (key !== undefined && key !== protocol) this.fail(at(path, key), `must be the listener's protocol: write ${protocol}`);
    return value as T | undefined;
  }
  healthCheck(v: unknown, path: string, protocols: readonly MeshProtocol[], listenerPort: number): HealthCheck {
    const h = this.obj(v, path);
    this.only(h, path, ['protocol', 'path', 'port', ...Object.keys(HEALTH_THRESHOLDS)]);
    const protocol = this.oneOf(h.protocol, `${path}.protocol`, protocols, 'http');
    const port = h.port === undefined ? undefined : this.int(h.port, `${path}.port`, 1, 65535);
    if (port !== undefined && port !== listenerPort)
      this.fail(`${path}.port`, `must be the listener's port ${listenerPort}, found ${port}`);
    // App Mesh uses the path for http and http2 only; for others it is kept when given, as App Mesh keeps it.
    const checked =
      h.path !== undefined || protocol === 'http' || protocol === 'http2' ? this.prefix(h.path ?? '/', `${path}.path`) : undefined;
    const thresholds = Object.fromEntries(
      Object.entries(HEALTH_THRESHOLDS).map(([k, [min, max, fallback]]) => [k, this.int(h[k], `${path}.${k}`, min, max, fallback)]),
    ) as Pick<HealthCheck, keyof typeof HEALTH_THRESHOLDS>;
    return compact({ protocol, path: checked, port, ...thresholds });
  }
  listener(v: unknown, path: string, protocols: readonly MeshProtocol[]): Listener {
    const o = this.obj(v, path);
    this.only(o, path, ['port', 'protocol']);
    return { port: this.int(o.port, `${path}.port`, 1, 65535), protocol: this.oneOf(o.protocol, `${path}.protocol`, protocols, 'http') };
  }
  /** `listener` or `listeners` of an object at `path`, each read by `read`; one or more, each port once. */
  listeners<L extends Listener>(
    o: Obj,
    path: string,
    protocols: readonly MeshProtocol[],
    read: (v: unknown, path: string) => L,
    shorthand: (l: Listener) => L,
  ): L[] {
    if (o.listener !== undefined && o.listeners !== undefined) this.fail(`${path}.listeners`, 'write listener or listeners, not both');
    if (o.listeners === undefined) return [shorthand(this.listener(o.listener, `${path}.listener`, protocols))];
    const ls = this.arr(o.listeners, `${path}.listeners`, false).map((l, i) => read(l, `${path}.listeners[${i}]`));
    if (ls.length === 0) this.fail(`${path}.listeners`, 'needs at least one listener');
    ls.forEach((l, i) => {
      if (ls.findIndex((x) => x.port === l.port) < i) this.fail(`${path}.listeners[${i}].port`, `port ${l.port} is declared twice`);
    });
    return ls;
  }
  unique<T extends { name: string }>(items: T[], path: string): T[] {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.name)) this.fail(`${path}[${i}].name`, `"${it.name}" is declared twice`);
      seen.add(it.name);
    });
    return items;
  }
}
