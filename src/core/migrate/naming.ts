// ---- rule 5: port names and discovery names ----------------------------------------------------

import { suffixedEcsName, toEcsName, portNameProblem, discoveryNameProblem } from '../ecs-names.js';
import { ClusterPlanInput, Draft, note, PlannedListener } from './types.js';

interface NameBook {
  /** Cloud Map service names per namespace, lower case: what exists, and what migrated services created. */
  existing: Map<string, Set<string>>;
  /** discoveryName → the service of this plan that takes it; unique across the whole plan. */
  planned: Map<string, string>;
}

export function nameBook(input: ClusterPlanInput, drafts: Draft[]): NameBook {
  const existing = new Map(input.namespaces.map((n) => [n.name, new Set(n.services.map((s) => s.toLowerCase()))]));
  for (const d of drafts.filter((x) => x.status === 'migrated' && x.namespace)) {
    const names = existing.get(d.namespace!) ?? new Set<string>();
    for (const l of d.listeners) names.add(l.discoveryName);
    existing.set(d.namespace!, names);
  }
  return { existing, planned: new Map() };
}

type Taker = { cloudMap: true } | { service: string };

function takenBy(book: NameBook, namespace: string, name: string): Taker | undefined {
  if (book.existing.get(namespace)?.has(name)) return { cloudMap: true };
  const service = book.planned.get(name);
  return service ? { service } : undefined;
}

function renameReason(d: Draft, name: string, taken: Taker): string {
  if ('service' in taken) return `${taken.service} of this plan takes it`;
  const own = d.facts.registries.some((r) => r.service.toLowerCase() === name && r.namespace === d.namespace);
  if (own) return `the Cloud Map service ${d.facts.service} registers in today (serviceRegistries) has that name`;
  return 'an existing Cloud Map service has that name';
}

/** `name`, or `<name>-sc`, `<name>-sc2`, … : the first free in the namespace and in the plan. */
function freeDiscoveryName(d: Draft, book: NameBook, name: string): string {
  const namespace = d.namespace!;
  const taken = takenBy(book, namespace, name);
  if (!taken) return name;
  let n = 1;
  let free = suffixedEcsName(name, '-sc');
  while (takenBy(book, namespace, free)) free = suffixedEcsName(name, `-sc${++n}`);
  const alias = `${d.alias!.name}:${d.ports.map((p) => d.alias!.ports?.[p.port] ?? p.port).join(',')}`;
  const own = `Service Connect creates a Cloud Map service of its own, so it uses ${free} (clients still call ${alias})`;
  note(d, 'info', `discoveryName ${name} is taken in namespace ${namespace}: ${renameReason(d, name, taken)}; ${own}`);
  return free;
}

export function nameListeners(d: Draft, book: NameBook): void {
  if (!d.alias || !d.namespace) return;
  const base = toEcsName(d.alias.name.split('.')[0]!);
  d.listeners = d.ports.map((p, i) => {
    const portName = i === 0 ? base : suffixedEcsName(base, `-${p.port}`);
    const discoveryName = freeDiscoveryName(d, book, portName);
    book.planned.set(discoveryName, d.facts.service);
    const port = d.alias!.ports?.[p.port] ?? p.port;
    return { port: p.port, protocol: p.protocol, portName, discoveryName, alias: { dnsName: d.alias!.name, port } };
  });
  for (const l of d.listeners) {
    for (const problem of [portNameProblem(l.portName), discoveryNameProblem(l.discoveryName)]) if (problem) note(d, 'error', problem);
  }
}

// ---- rule 6: alias unique in the namespace -----------------------------------------------------

export function checkAliasClashes(drafts: Draft[]): void {
  const claims = new Map<string, Draft>();
  const key = (d: Draft, l: PlannedListener) => `${d.namespace ?? ''}\n${l.alias.dnsName}\n${l.alias.port}`;
  for (const d of drafts.filter((x) => x.status === 'migrated')) {
    for (const l of d.listeners) if (!claims.has(key(d, l))) claims.set(key(d, l), d);
  }
  for (const d of drafts.filter((x) => x.status === 'migrate')) {
    for (const l of d.listeners) {
      const other = claims.get(key(d, l));
      if (!other) {
        claims.set(key(d, l), d);
        continue;
      }
      const them = other.facts.service;
      const whose = other.status === 'migrated' ? `${them}'s (already on Service Connect)` : `also planned for ${them}`;
      const one = `${d.facts.service} and ${them}`;
      const fix = `a name and port must be unique in a namespace: give one of ${one} another --client-alias or namespace`;
      note(d, 'error', `client alias ${l.alias.dnsName}:${l.alias.port} in namespace ${d.namespace} is ${whose}; ${fix}`);
    }
  }
}
