// ---- A resource's Spec, in either dialect, read into App Mesh's own spec shape (SPECS), field for field.
// CloudFormation writes App Mesh's fields in PascalCase (its acronyms upper case: TLS, ACM, DNS, HTTP2 ...);
// Terraform in snake_case, every nested block a list, repeated blocks singular (listener, backend, header ...).
// From App Mesh's shape on, every source goes the way App Mesh's own answers go (aws-spec.ts fromAwsSpec).

import { SPECS, type Shape } from '../shapes.js';
import { Kind, Obj, isObj, shown } from './common.js';
import { Reader, At } from './dialects.js';

/** CloudFormation keys that are not App Mesh's with its first letter upper case. */
const CFN_KEYS: Record<string, string> = {
  awsCloudMap: 'AWSCloudMap',
  dns: 'DNS',
  tls: 'TLS',
  acm: 'ACM',
  sds: 'SDS',
  http: 'HTTP',
  http2: 'HTTP2',
  grpc: 'GRPC',
  tcp: 'TCP',
};
/** Terraform's repeated blocks, named in the singular. */
const TF_KEYS: Record<string, string> = {
  listeners: 'listener',
  backends: 'backend',
  weightedTargets: 'weighted_target',
  headers: 'header',
  queryParameters: 'query_parameter',
};

function sourceKey(r: Reader, key: string): string {
  if (!r.isTerraform) return CFN_KEYS[key] ?? key[0]!.toUpperCase() + key.slice(1);
  return TF_KEYS[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const absent = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/** Terraform's `attributes` of a Cloud Map discovery is a map; App Mesh's a list of key and value. */
function terraformMap(v: unknown): unknown {
  return isObj(v) ? Object.entries(v).map(([key, value]) => ({ key, value })) : v;
}

/** An object; in Terraform a nested block, a list of one (an item of a list is the block itself). */
function readObject(r: Reader, s: Extract<Shape, { kind: 'object' }>, raw: unknown, path: string, item: boolean): Obj | undefined {
  let v = raw;
  let p = path;
  if (r.isTerraform && !item) {
    if (!Array.isArray(raw)) return void r.note(path, `must be a list, found ${shown(raw)}`);
    if (raw.length > 1) r.note(path, `holds ${raw.length} blocks where App Mesh takes one; the first is read`);
    v = raw[0];
    p = `${path}[0]`;
  }
  if (!isObj(v)) return void r.note(p, `must be an object, found ${shown(v)}`);
  const keys = new Map(Object.keys(s.fields).map((k) => [sourceKey(r, k), k]));
  for (const [k, x] of Object.entries(v)) {
    if (!keys.has(k) && !absent(x) && x !== '') r.note(`${p}.${k}`, 'not a field of App Mesh that meshctl knows, left out');
  }
  const out: Obj = {};
  for (const [key, field] of keys) {
    const got = readValue(r, s.fields[field]!, v[key], `${p}.${key}`, field, false);
    if (got !== undefined) out[field] = got;
  }
  // Without a field App Mesh requires the object is left out (what was there but unusable is noted already).
  const missing = s.required.filter((f) => out[f] === undefined);
  for (const f of missing) if (absent(v[sourceKey(r, f)])) r.note(`${p}.${sourceKey(r, f)}`, 'missing');
  return Object.keys(out).length && missing.length === 0 ? out : undefined;
}

function readScalar(r: Reader, s: Shape, v: unknown, p: string): unknown {
  switch (s.kind) {
    case 'int': {
      // CloudFormation takes "3000" for an Integer property; Terraform shows an unset number as 0.
      const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
      if (r.isTerraform && n === 0 && s.min > 0) return undefined;
      if (typeof n === 'number' && Number.isInteger(n) && n >= s.min && n <= s.max) return n;
      return void r.note(p, `must be a whole number from ${s.min} to ${s.max}, found ${shown(v)}`);
    }
    case 'text':
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      if (v === '') return undefined;
      return typeof v === 'string' ? v : void r.note(p, `must be a string, found ${shown(v)}`);
    case 'bool':
      if (v === 'true' || v === 'false') return v === 'true';
      return typeof v === 'boolean' ? v : void r.note(p, `must be true or false, found ${shown(v)}`);
    case 'enum': {
      if (v === '') return undefined;
      const found = s.values.find((x) => typeof v === 'string' && x.toLowerCase() === v.toLowerCase());
      return found ?? void r.note(p, `must be one of ${s.values.join(', ')}, found ${shown(v)}`);
    }
    default:
      return undefined;
  }
}

/** One value of shape `s` at `path`; undefined when absent, or when it cannot be read (then noted). */
function readValue(r: Reader, s: Shape, raw: unknown, path: string, field: string, item: boolean): unknown {
  if (absent(raw)) return undefined;
  const got = r.resolved(raw, path);
  if (!got || absent(got.v)) return undefined;
  const v = r.isTerraform && field === 'attributes' ? terraformMap(got.v) : got.v;
  if (s.kind === 'object') return readObject(r, s, v, path, item);
  if (s.kind !== 'list') return readScalar(r, s, v, path);
  if (!Array.isArray(v)) return void r.note(path, `must be a list, found ${shown(v)}`);
  const items = v.map((x, i) => readValue(r, s.of, x, `${path}[${i}]`, '', true)).filter((x) => x !== undefined);
  return items.length ? items : undefined;
}

/** The `Spec` (`spec`) of a resource's properties, as App Mesh's spec of that kind; {} when it has none. */
export function readSpec(r: Reader, kind: Kind, props: At<Obj>): Obj {
  const key = r.isTerraform ? 'spec' : 'Spec';
  return (readValue(r, SPECS[kind], props.value[key], `${props.path}.${key}`, 'spec', false) as Obj | undefined) ?? {};
}
