// ---- rule 4: namespace -------------------------------------------------------------------------

import { namespaceNameOf } from '../namespace.js';
import type { PortMapping } from '@aws-sdk/client-ecs';
import { httpNamespaceNameProblem } from '../ecs-names.js';
import { MeshProtocol } from '../protocol.js';
import { Draft, ClusterPlanInput, note, addSource, NamespaceFacts, containersOf } from './types.js';
import { isAppProtocol } from '../protocol.js';
import { normalizeHost } from '../host-refs.js';

function namespaceCandidate(d: Draft, overrides: ClusterPlanInput['overrides']): { name?: string; source?: string } {
  if (overrides.namespace !== undefined) return { name: overrides.namespace, source: 'overrides' };
  const registry = d.facts.registries[0];
  if (registry) return { name: registry.namespace, source: 'Cloud Map' };
  const discovery = d.node?.discovery;
  if (discovery && 'cloudMap' in discovery) return { name: discovery.cloudMap.namespace, source: d.nodeSource };
  const parent = d.alias?.name.split('.').slice(1).join('.');
  return { name: parent || undefined };
}

/** `fallback`: a client only's namespace, from the services it calls (it has no alias to take one from). */
export function chooseNamespace(d: Draft, input: ClusterPlanInput, fallback?: { name: string; source: string }): void {
  const found = namespaceCandidate(d, input.overrides);
  const { name, source } = found.name === undefined && fallback ? fallback : found;
  if (!name) {
    const alias = d.alias?.name;
    if (!alias) return;
    note(d, 'error', `no namespace: nothing names a Cloud Map namespace and alias ${alias} has no parent domain; pass --namespace`);
    return;
  }
  d.namespace = name;
  if (source) addSource(d, source);
  d.namespaceExists = input.namespaces.some((n) => n.name === name);
  if (d.namespaceExists) return;
  if (input.overrides.createNamespace) {
    note(d, 'info', `Cloud Map namespace ${name} does not exist; it will be created as an HTTP namespace (--create-namespace)`);
    const problem = httpNamespaceNameProblem(name);
    if (problem) note(d, 'error', problem);
    return;
  }
  const isZone = input.records.some((r) => normalizeHost(r.zone) === normalizeHost(name));
  const zone = isZone ? ' (a Route 53 private zone of that name exists, but a zone is no Cloud Map namespace)' : '';
  const existing = input.namespaces.map((n) => n.name).join(', ') || 'none';
  const next = `pass --create-namespace to create it as an HTTP namespace, or --namespace to pick one (existing: ${existing})`;
  note(d, 'error', `Cloud Map namespace ${name} does not exist${zone}; ${next}`);
}

// ---- already on Service Connect ----------------------------------------------------------------

function portMappingNamed(d: Draft, portName: string): PortMapping | undefined {
  return containersOf(d)
    .flatMap((c) => c.portMappings ?? [])
    .find((m) => m.name === portName);
}

/** A migrated service's listeners from its serviceConnectConfiguration, with ECS's default dnsName (discoveryName.namespace). */
export function describeMigrated(d: Draft, namespaces: NamespaceFacts[]): void {
  const sc = d.facts.serviceConnect!;
  d.namespace = namespaceNameOf(sc.namespace, namespaces);
  d.namespaceExists = namespaces.some((n) => n.name === d.namespace);
  addSource(d, 'Service Connect');
  for (const s of sc.services ?? []) {
    const mapping = portMappingNamed(d, s.portName);
    const discoveryName = s.discoveryName ?? s.portName;
    const aliases = s.clientAliases?.length ? s.clientAliases : mapping?.containerPort ? [{ port: mapping.containerPort }] : [];
    const appProtocol = mapping?.appProtocol?.toLowerCase();
    const protocol = (isAppProtocol(appProtocol) ? appProtocol : 'tcp') as MeshProtocol;
    for (const a of aliases) {
      const dnsName = normalizeHost(a.dnsName ?? `${discoveryName}.${d.namespace ?? ''}`);
      const port = mapping?.containerPort ?? a.port;
      d.listeners.push({ port, protocol, portName: s.portName, discoveryName, alias: { dnsName, port: a.port } });
      d.candidates.push({ name: dnsName, kind: 'Service Connect', source: 'Service Connect' });
    }
  }
}
