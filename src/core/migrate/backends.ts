// ---- rule 7: backends --------------------------------------------------------------------------

import { Draft, containersOf, note } from './types.js';
import { normalizeHost, hostsIn } from '../host-refs.js';

interface NameIndex {
  /** The alias a service publishes (or keeps publishing) on Service Connect. */
  primary: Map<string, Draft[]>;
  /** Other names it is known by today. */
  secondary: Map<string, Draft[]>;
}

export function indexNames(drafts: Draft[]): NameIndex {
  const index: NameIndex = { primary: new Map(), secondary: new Map() };
  const add = (map: Map<string, Draft[]>, name: string, d: Draft) => map.set(name, [...(map.get(name) ?? []), d]);
  for (const d of drafts) {
    const published = d.status === 'migrate' ? (d.alias ? [normalizeHost(d.alias.name)] : []) : d.candidates.map((c) => c.name);
    for (const name of new Set(published)) add(index.primary, name, d);
    for (const c of d.candidates.filter((x) => !published.includes(x.name))) add(index.secondary, c.name, d);
  }
  return index;
}

function serversOf(index: NameIndex, name: string): { server: Draft; primary: boolean } | undefined {
  const primary = index.primary.get(name)?.[0];
  if (primary) return { server: primary, primary: true };
  const secondary = index.secondary.get(name)?.[0];
  return secondary ? { server: secondary, primary: false } : undefined;
}

/** Names of other services of the input that an app container's environment values mention. */
function inferBackends(d: Draft, index: NameIndex): string[] {
  const found: string[] = [];
  for (const c of containersOf(d).filter((x) => !d.proxies.has(x.name ?? ''))) {
    for (const e of c.environment ?? []) {
      for (const name of hostsIn(e.value ?? '')) {
        const hit = serversOf(index, name);
        if (!hit || hit.server === d || found.includes(name)) continue;
        found.push(name);
        note(d, 'info', `backend ${name} inferred from environment variable ${e.name} (container ${c.name})`);
      }
    }
    if (c.secrets?.length || c.environmentFiles?.length) {
      note(d, 'info', `container ${c.name} also reads secrets or environment files; backends named only there are not inferred`);
    }
  }
  return found;
}

function checkBackend(d: Draft, name: string, hit: { server: Draft; primary: boolean } | undefined): void {
  if (!hit) {
    const check = `check that ${name} resolves outside the mesh, or add its service to the plan`;
    const dnsOnly = `on Service Connect ${d.facts.service} reaches it by DNS only`;
    note(d, 'warn', `backend ${name} is served by no ECS service in the input; ${dnsOnly}: ${check}`);
    return;
  }
  const s = hit.server;
  if (!hit.primary && s.alias) {
    const fix = `point ${d.facts.service} at ${s.alias.name} or give ${s.facts.service} --client-alias ${name}`;
    const publishes = `${s.facts.service} serves but publishes on Service Connect as ${s.alias.name}`;
    note(d, 'warn', `${d.facts.service} calls ${name}, which ${publishes}: ${fix}`);
  }
  if (s.status !== 'not-in-mesh' && s !== d && d.namespace && s.namespace && s.namespace !== d.namespace) {
    const why = 'Service Connect clients reach only their own namespace: pass --namespace to put both in one';
    const where = `${s.facts.service} in namespace ${s.namespace}, but ${d.facts.service} is in ${d.namespace}`;
    note(d, 'warn', `backend ${name} is ${where}; ${why}`);
  }
}

/**
 * `behind`: the ECS services behind each virtual service name (providers.ts): a caller of a name with
 * several services behind it (a canary's versions) lists them all, so that it rolls after every one.
 */
export function findBackends(d: Draft, index: NameIndex, behind: Map<string, string[]> = new Map()): void {
  const names = d.node ? d.node.backends.map(normalizeHost) : inferBackends(d, index);
  for (const name of [...new Set(names)]) {
    const hit = serversOf(index, name);
    const servedBy = hit?.server.facts.service;
    const all = (behind.get(name) ?? []).filter((s) => s !== d.facts.service);
    const several = all.length > 1 || (all.length === 1 && all[0] !== servedBy);
    d.backends.push({ name, ...(servedBy ? { servedBy } : {}), ...(several ? { behind: all } : {}) });
    // Behind a virtual service whose owner is undecided: the --alias-owner error of its services says it.
    if (hit || all.length === 0) checkBackend(d, name, hit);
  }
}
