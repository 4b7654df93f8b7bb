// ---- rule 1: which services --------------------------------------------------------------------

import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { hasEnvoy, meshGatewayOf, proxyContainers } from '../envoy/proxy.js';
import { virtualNodeName } from '../envoy/render.js';
import { MeshDescription } from '../mesh/description.js';
import { MeshProtocol } from '../protocol.js';
import { ServiceFacts, ServicePlan, Draft, containersOf, note, addSource, ClusterPlanInput } from './types.js';
import { isMeshProtocol } from '../protocol.js';

/** Envoy (named so, or the container an APPMESH proxyConfiguration names): migrate, or a gateway when it serves one. */
function statusOf(facts: ServiceFacts): ServicePlan['status'] {
  if (meshGatewayOf(facts.described)) return 'gateway';
  if (hasEnvoy(facts.described)) return 'migrate';
  return facts.serviceConnect ? 'migrated' : 'not-in-mesh';
}

export function newDraft(facts: ServiceFacts): Draft {
  return {
    facts,
    status: statusOf(facts),
    proxies: proxyContainers(facts.described.taskDefinition),
    owned: [],
    lost: [],
    undecided: [],
    gatewayRoutes: [],
    ports: [],
    candidates: [],
    namespaceExists: false,
    listeners: [],
    backends: [],
    findings: [],
    sources: ['task definition'],
    virtualServices: [],
  };
}

// ---- rule 2: node and listeners ----------------------------------------------------------------

export function pickApp(d: Draft, wanted: string | undefined): void {
  const containers = containersOf(d);
  if (wanted === undefined) {
    d.app = containers.find((c) => !d.proxies.has(c.name ?? ''))?.name;
    if (!d.app) {
      const why = 'the task definition has no container besides envoy, and envoy names no virtual gateway: there is no application to keep';
      note(d, 'error', `${why}; plan the other services with --service`);
    }
    return;
  }
  if (d.proxies.has(wanted)) {
    return note(d, 'error', `--app-container: "${wanted}" is the envoy sidecar itself; name the application container`);
  }
  if (containers.some((c) => c.name === wanted)) d.app = wanted;
  else {
    const names = containers.map((c) => c.name).join(', ');
    note(d, 'error', `--app-container: no container named "${wanted}" in the task definition (it has: ${names})`);
  }
}

export function appContainer(d: Draft): ContainerDefinition | undefined {
  return containersOf(d).find((c) => c.name === d.app);
}

export function describeNode(d: Draft, meshes: MeshDescription[]): void {
  const vn = d.virtualNode;
  const fallback = 'the plan uses the task definition, Cloud Map and Route 53';
  if (!vn) return note(d, 'info', `envoy names no virtual node (APPMESH_VIRTUAL_NODE_NAME or APPMESH_RESOURCE_ARN); ${fallback}`);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  for (const m of meshes.filter((x) => same(x.mesh, vn.mesh))) {
    const node = m.virtualNodes.find((n) => same(n.name, vn.name));
    if (node) {
      d.node = node;
      d.nodeSource = m.source;
      addSource(d, m.source);
      return;
    }
  }
  if (meshes.length > 0) {
    const sources = meshes.map((m) => m.source).join(', ');
    note(d, 'info', `no mesh description (${sources}) describes ${virtualNodeName(vn.mesh, vn.name)}; ${fallback}`);
  }
}

/** The APPMESH proxyConfiguration's AppPorts (`3000,3001`), the ports envoy intercepted. */
function appPortsProperty(td: TaskDefinition): number[] {
  if (td.proxyConfiguration?.type !== 'APPMESH') return [];
  const value = td.proxyConfiguration.properties?.find((p) => p.name === 'AppPorts')?.value ?? '';
  const ports = value.split(',').map((s) => Number(s.trim()));
  return [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0 && p <= 65535))];
}

function mappingPorts(app: ContainerDefinition | undefined): number[] {
  const ports = (app?.portMappings ?? []).map((p) => p.containerPort).filter((p): p is number => typeof p === 'number');
  return [...new Set(ports)];
}

export function listenPorts(d: Draft, overrides: ClusterPlanInput['overrides']): void {
  if (d.node && d.node.listeners.length > 0) {
    d.ports = d.node.listeners.map((l) => ({ port: l.port, protocol: l.protocol }));
    return;
  }
  const app = appContainer(d);
  const fromProxy = appPortsProperty(d.facts.described.taskDefinition);
  const ports = fromProxy.length > 0 ? fromProxy : mappingPorts(app);
  const assumed: number[] = [];
  d.ports = ports.map((port) => {
    const declared = app?.portMappings?.find((m) => m.containerPort === port)?.appProtocol?.toLowerCase();
    if (isMeshProtocol(declared)) return { port, protocol: declared as MeshProtocol };
    if (overrides.appProtocol) return { port, protocol: overrides.appProtocol };
    assumed.push(port);
    return { port, protocol: 'http' as const };
  });
  if (assumed.length > 0) {
    const ports = assumed.join(', ');
    const why = 'no mesh description or port mapping appProtocol says; pass --app-protocol to choose';
    note(d, 'info', `protocol of port ${ports} assumed http: ${why}`);
  }
}
