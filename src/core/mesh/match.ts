/**
 * A route's match conditions as short phrases (`prefix /api`, `header x-color = blue`, `method POST`),
 * read from App Mesh's spec in any of its spellings: the API's camelCase, CloudFormation's PascalCase and
 * Terraform's snake_case (whose nested blocks are one-element lists). The migration plan says which of
 * them Service Connect cannot keep; a route with none is a default route.
 */

type Obj = Record<string, unknown>;

/** A key without case or underscores: `queryParameters`, `QueryParameters` and `query_parameter` alike. */
const bare = (key: string) => key.replace(/_/g, '').toLowerCase();

/** An object, or the object of a one-element list (Terraform's nested block). */
function asObj(v: unknown): Obj | undefined {
  const one = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return one !== null && typeof one === 'object' && !Array.isArray(one) ? (one as Obj) : undefined;
}

function field(o: Obj | undefined, ...names: string[]): unknown {
  if (!o) return undefined;
  const wanted = names.map(bare);
  const key = Object.keys(o).find((k) => wanted.includes(bare(k)));
  return key === undefined ? undefined : o[key];
}

// Terraform's state writes an unset argument as "" or 0: neither is a condition.
const text = (v: unknown): string | undefined =>
  (typeof v === 'string' && v !== '') || (typeof v === 'number' && v !== 0) ? String(v) : undefined;
const list = (v: unknown): Obj[] =>
  (Array.isArray(v) ? (v as unknown[]) : v === undefined ? [] : [v]).flatMap((x): Obj[] => {
    const o = asObj(x);
    return o ? [o] : [];
  });

/** `= blue`, `~ ^blu`, `starts blu`, `range 1-5`, or '' for a presence match. */
function valueMatch(m: Obj | undefined): string {
  if (!m) return '';
  const exact = text(field(m, 'exact'));
  if (exact !== undefined) return ` = ${exact}`;
  const regex = text(field(m, 'regex'));
  if (regex !== undefined) return ` ~ ${regex}`;
  const prefix = text(field(m, 'prefix'));
  if (prefix !== undefined) return ` starts ${prefix}`;
  const suffix = text(field(m, 'suffix'));
  if (suffix !== undefined) return ` ends ${suffix}`;
  const range = asObj(field(m, 'range'));
  return range ? ` range ${text(field(range, 'start'))}-${text(field(range, 'end'))}` : '';
}

function named(kind: string, items: Obj[]): string[] {
  return items.map((h) => {
    const invert = field(h, 'invert') === true ? 'not ' : '';
    return `${kind} ${invert}${text(field(h, 'name')) ?? '?'}${valueMatch(asObj(field(h, 'match')))}`;
  });
}

/** The conditions of a route's or gateway route's `match` block; a prefix of `/` matches everything and is none. */
export function matchConditions(match: unknown): string[] {
  const m = asObj(match);
  if (!m) return [];
  const out: string[] = [];
  const prefix = text(field(m, 'prefix'));
  if (prefix !== undefined && prefix !== '/') out.push(`prefix ${prefix}`);
  const path = asObj(field(m, 'path'));
  if (path) out.push(`path${valueMatch(path)}`);
  const hostname = asObj(field(m, 'hostname'));
  if (hostname) out.push(`hostname${valueMatch(hostname)}`);
  const method = text(field(m, 'method'));
  if (method !== undefined) out.push(`method ${method}`);
  const scheme = text(field(m, 'scheme'));
  if (scheme !== undefined) out.push(`scheme ${scheme}`);
  out.push(...named('header', list(field(m, 'headers', 'header'))));
  out.push(...named('query', list(field(m, 'queryParameters', 'queryParameter'))));
  const service = text(field(m, 'serviceName'));
  if (service !== undefined) out.push(`gRPC service ${service}`);
  const grpcMethod = text(field(m, 'methodName'));
  if (grpcMethod !== undefined) out.push(`gRPC method ${grpcMethod}`);
  out.push(...named('metadata', list(field(m, 'metadata'))));
  const port = text(field(m, 'port'));
  if (port !== undefined) out.push(`port ${port}`);
  return out;
}
