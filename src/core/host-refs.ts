import type { ContainerDefinition } from '@aws-sdk/client-ecs';

/** Lower case, no trailing dot: how DNS names are compared. */
export const normalizeHost = (name: string) => name.trim().toLowerCase().replace(/\.+$/, '');
export const aliasText = (a: { dnsName: string; port?: number }) => `${a.dnsName}${a.port === undefined ? '' : `:${a.port}`}`;

/** A name another service is called by, found in an environment value. */
export interface HostRef {
  host: string;
  port?: number;
  variable: string;
}

// An optional scheme (and user info), a host, an optional port: `http://u:p@payments.local:5000/x`,
// `payments.local:5000`, `payments`.
const HOST_REF = /(?:([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#\s]*@)?)?([a-z0-9_-]+(?:\.[a-z0-9_-]+)*)(?::(\d{1,5}))?/gi;
const SCHEME_PORTS: Record<string, number> = { http: 80, https: 443 };

/** The distinct hosts of hostRefsIn, without ports: what the migration planner matches against names. */
export function hostsIn(value: string): string[] {
  return [...new Set(hostRefsIn(value).map((r) => r.host))];
}

/** Hosts an environment value may name: URL hosts, dotted names, or the whole value when it is one word (not a path segment). */
export function hostRefsIn(value: string): { host: string; port?: number }[] {
  const out: { host: string; port?: number }[] = [];
  for (const m of value.matchAll(HOST_REF)) {
    const [whole, scheme, host, port] = m;
    if (!scheme && !host!.includes('.') && whole !== value.trim()) continue;
    const explicit = port ? Number(port) : scheme ? SCHEME_PORTS[scheme.toLowerCase()] : undefined;
    out.push({ host: normalizeHost(host!), ...(explicit === undefined ? {} : { port: explicit }) });
  }
  return out;
}

export function hostRefsOf(containers: readonly ContainerDefinition[]): HostRef[] {
  const seen = new Set<string>();
  const out: HostRef[] = [];
  for (const c of containers) {
    for (const e of c.environment ?? []) {
      for (const ref of hostRefsIn(e.value ?? '')) {
        const key = aliasText({ dnsName: ref.host, port: ref.port });
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ ...ref, variable: e.name ?? '?' });
      }
    }
  }
  return out;
}
