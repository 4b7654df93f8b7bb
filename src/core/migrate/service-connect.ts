// ---- rule 9: what Service Connect has no equivalent for ----------------------------------------

import type { PortMapping, RegisterTaskDefinitionCommandInput, ContainerDefinition } from '@aws-sdk/client-ecs';
import { toRegisterInput } from '../task-definition.js';
import { Draft, Provided, note, PlannedListener, ServicePlan } from './types.js';
import { isAppProtocol } from '../protocol.js';

const SUGGEST = {
  keep:
    "to keep it: one ECS service with ECS's own LINEAR or CANARY deployment (for versions of one application), " +
    'routing in the application, or a VPC Lattice service network',
  tcp: 'Service Connect proxies it without HTTP features; check idle timeouts for long-lived connections',
  gateway: 'put an Application Load Balancer listener rule in front of the service instead of the virtual gateway',
};

function routeFindings(d: Draft, p: Provided): void {
  const report = d.virtualServices.find((v) => v.name === p.name);
  for (const r of p.router?.routes ?? []) {
    const lost = report?.routes.find((x) => x.name === r.name)?.lost ?? [];
    if (lost.length > 0) {
      const only = `its name goes to ${d.facts.service} only`;
      note(d, 'warn', `${p.name}: route ${r.name}: Service Connect will not keep ${lost.join(', ')}; ${only}; ${SUGGEST.keep}`);
    }
  }
}

export function unsupported(d: Draft): void {
  for (const l of d.ports.filter((x) => x.protocol === 'tcp')) note(d, 'warn', `port ${l.port} is TCP: ${SUGGEST.tcp}`);
  for (const p of d.owned) routeFindings(d, p);
  for (const p of d.lost) {
    const owner = d.virtualServices.find((v) => v.name === p.name)?.owner ?? p.ownerService ?? p.owner;
    const weight = p.share > 0 ? `weight ${p.share} of ${p.total}` : 'requests by match conditions';
    const sends = `${p.name} sends this service's node ${d.virtualNode!.name} ${weight}${p.router ? ` through router ${p.router.name}` : ''}`;
    const own = d.alias
      ? `; ${d.facts.service} keeps its own name ${d.alias.name}`
      : `; ${d.facts.service} has no name of its own, so nothing reaches it on Service Connect`;
    note(d, 'warn', `${sends}, but a name belongs to one service on Service Connect: it goes to ${owner}${own}; ${SUGGEST.keep}`);
  }
  for (const p of d.undecided) {
    const pick = p.behind.includes(d.facts.service) ? d.facts.service : p.behind[0];
    const others = p.behind.filter((s) => s !== pick);
    const paste = `pass --alias-owner ${p.name}=${pick ?? 'ECS_SERVICE'}${others.length ? ` (or =${others.join(', =')})` : ''}`;
    note(d, 'error', `${p.name}: ${p.undecided}, so nothing decides which service takes the name its clients call; ${paste}`);
  }
  for (const g of d.gatewayRoutes) {
    const route = `gateway ${g.gateway}: route ${g.name}${g.prefix ? ` (${g.prefix})` : ''}`;
    note(d, 'warn', `${route} sends traffic to ${g.virtualService}; virtual gateways end with App Mesh: ${SUGGEST.gateway}`);
  }
}

// ---- rule 10: task definition ------------------------------------------------------------------

function namedMappings(mappings: PortMapping[], listeners: PlannedListener[]): PortMapping[] {
  const out = [...mappings];
  for (const l of listeners) {
    const i = out.findIndex((m) => m.containerPort === l.port);
    const named: PortMapping = { ...(i >= 0 ? out[i] : { containerPort: l.port, protocol: 'tcp' as const }), name: l.portName };
    if (isAppProtocol(l.protocol)) named.appProtocol = l.protocol as PortMapping['appProtocol'];
    else delete named.appProtocol;
    if (i >= 0) out[i] = named;
    else out.push(named);
  }
  return out;
}

/**
 * The register input without envoy (and the container an APPMESH proxyConfiguration names), the waits for
 * it and the proxy configuration; the app's ports named. A missing app container is left to the findings.
 */
function withoutEnvoy(d: Draft): RegisterTaskDefinitionCommandInput {
  const input = toRegisterInput(d.facts.described);
  input.containerDefinitions = (input.containerDefinitions ?? [])
    .filter((c) => !d.proxies.has(c.name ?? ''))
    .map((c): ContainerDefinition => {
      const next: ContainerDefinition = { ...c };
      const dependsOn = c.dependsOn?.filter((x) => !d.proxies.has(x.containerName ?? ''));
      if (dependsOn?.length) next.dependsOn = dependsOn;
      else delete next.dependsOn;
      if (c.name === d.app) next.portMappings = namedMappings(c.portMappings ?? [], d.listeners);
      return next;
    });
  if (input.proxyConfiguration?.type === 'APPMESH') delete input.proxyConfiguration;
  return input;
}

function checkPortNames(d: Draft, input: RegisterTaskDefinitionCommandInput): void {
  const mappings = (input.containerDefinitions ?? []).flatMap((c) => (c.portMappings ?? []).map((m) => ({ container: c.name, ...m })));
  for (const l of d.listeners) {
    const clash = mappings.find((m) => m.name === l.portName && !(m.container === d.app && m.containerPort === l.port));
    if (!clash) continue;
    const where = `container ${clash.container} port ${clash.containerPort}`;
    note(d, 'error', `port name ${l.portName} is already used by ${where}; ECS needs port names unique in a task definition`);
  }
}

export function render(d: Draft): Pick<ServicePlan, 'taskDefinition' | 'serviceConnectConfiguration'> {
  if (d.status !== 'migrate' || !d.app || !d.namespace) return {};
  // Rule 11: the proxy's access log and its log destination, for a client as for a server.
  const logs = {
    ...(d.carried?.logConfiguration ? { logConfiguration: d.carried.logConfiguration } : {}),
    ...(d.carried?.accessLogConfiguration ? { accessLogConfiguration: d.carried.accessLogConfiguration } : {}),
  };
  // A client only: it calls names on Service Connect and publishes none.
  if (d.kind === 'client-only')
    return { taskDefinition: withoutEnvoy(d), serviceConnectConfiguration: { enabled: true, namespace: d.namespace, ...logs } };
  if (d.listeners.length === 0) return {};
  const taskDefinition = withoutEnvoy(d);
  checkPortNames(d, taskDefinition);
  const services = d.listeners.map((l) => ({
    portName: l.portName,
    discoveryName: l.discoveryName,
    // Exactly one alias: ECS allows one per Service Connect service.
    clientAliases: [{ port: l.alias.port, dnsName: l.alias.dnsName }],
    ...d.carried?.ports[l.port],
  }));
  return { taskDefinition, serviceConnectConfiguration: { enabled: true, namespace: d.namespace, services, ...logs } };
}
