import type {
  ContainerDefinition,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
  ServiceConnectConfiguration,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  discoveryNameProblem,
  dnsNameProblem,
  httpNamespaceNameProblem,
  portNameProblem,
  suffixedEcsName,
  toEcsName,
} from '../ecs-names.js';
import type {
  DescribedGatewayRoute,
  DescribedVirtualNode,
  DescribedVirtualRouter,
  DescribedVirtualService,
  MeshDescription,
  MeshProtocol,
} from '../mesh/description.js';
import { virtualNodeName } from '../envoy/render.js';
import { hasEnvoy } from '../envoy/proxy.js';
import { toRegisterInput, type DescribedTaskDefinition } from '../task-definition.js';
import { meshNodeOf, proxyContainers } from '../envoy/proxy.js';

/*
 * Plans a whole cluster's move from App Mesh to ECS Service Connect from what still exists after App Mesh
 * ended (2026-09-30): task definitions, Cloud Map, Route 53 private records, load balancers, and any mesh
 * descriptions (a mesh file, a template, Terraform state). The rules, cited by number below:
 *  1. envoy or an APPMESH proxyConfiguration: migrate; else Service Connect: migrated; else not-in-mesh.
 *  2. listeners from the described node, else the proxy's AppPorts, else the app's port mappings.
 *  3. the client alias: (a) a virtual service the node provides, (b) its Cloud Map name, (c) a Route 53
 *     private record pointing at its DNS hostname or load balancer; never a load balancer's own name.
 *  4. the namespace: --namespace, the Cloud Map registration, the node's Cloud Map discovery, the alias's
 *     parent domain; it must be a Cloud Map namespace (a private zone is not one) or --create-namespace.
 *  5. portName and discoveryName from the alias's first label; discoveryName free in the namespace and plan.
 *  6. one alias per Service Connect service, its name and port unique in the namespace.
 *  7. backends from the node, else from environment values naming another service's alias.
 *  8. waves: servers before clients; a cycle rolls as one wave.
 *  9. what Service Connect has no equivalent for is a warning with a suggestion.
 * 10. the task definition without envoy, its waits and the proxy configuration, with named ports.
 */

/** What meshctl read about one ECS service of the cluster. */
export interface ServiceFacts {
  service: string;
  taskDefinitionArn: string;
  described: DescribedTaskDefinition;
  /** Cloud Map registrations of the service (serviceRegistries → GetService + GetNamespace). */
  registries: { service: string; namespace: string; namespaceType?: 'HTTP' | 'DNS_PRIVATE' | 'DNS_PUBLIC'; port?: number }[];
  /** DNS names of the load balancers in front of the service (its target groups' load balancers). */
  loadBalancerDnsNames: string[];
  /** The service's current serviceConnectConfiguration when it already uses Service Connect (migrated). */
  serviceConnect?: {
    namespace?: string;
    services?: { portName: string; discoveryName?: string; clientAliases?: { dnsName?: string; port: number }[] }[];
  };
}

/** A record of a Route 53 private hosted zone. */
export interface PrivateRecord {
  zone: string;
  name: string;
  type: string;
  values: string[];
  aliasTarget?: string;
}

/** An existing Cloud Map namespace with the names of its Cloud Map services. */
export interface NamespaceFacts {
  name: string;
  id: string;
  type: 'HTTP' | 'DNS_PRIVATE' | 'DNS_PUBLIC';
  services: string[];
}

/** Everything the cluster planner reads: plain data, gathered by the AWS layer or from files. */
export interface ClusterPlanInput {
  services: ServiceFacts[];
  /** May be empty (App Mesh gone and no file given). */
  meshes: MeshDescription[];
  records: PrivateRecord[];
  namespaces: NamespaceFacts[];
  overrides: {
    namespace?: string;
    clientAlias?: string;
    appProtocol?: 'http' | 'http2' | 'grpc';
    createNamespace?: boolean;
    appContainer?: string;
  };
}

/** One thing the plan wants a person to know; `error` makes the plan not ok. */
export interface Finding {
  level: 'error' | 'warn' | 'info';
  service?: string;
  message: string;
}

/** A Service Connect listener: one port of the app, its names and the alias clients call it by. */
export interface PlannedListener {
  port: number;
  protocol: MeshProtocol;
  portName: string;
  discoveryName: string;
  alias: { dnsName: string; port: number };
}

/** What to do with one ECS service. */
export interface ServicePlan {
  service: string;
  /** migrated: runs no envoy and has Service Connect; not-in-mesh: never had envoy. */
  status: 'migrate' | 'migrated' | 'not-in-mesh';
  virtualNode?: { mesh: string; name: string };
  namespace?: string;
  namespaceExists: boolean;
  listeners: PlannedListener[];
  /** Virtual service or DNS name called, and the ECS service of the input that serves it. */
  backends: { name: string; servedBy?: string }[];
  findings: Finding[];
  taskDefinition?: RegisterTaskDefinitionCommandInput;
  serviceConnectConfiguration?: ServiceConnectConfiguration;
  /** The sources the facts came from: 'task definition', 'Cloud Map', 'Route 53', a mesh description's source, … */
  sourceOf: string[];
}

/** The cluster's plan: waves of services to roll (servers first), each service's plan, cluster-wide findings. */
export interface ClusterPlan {
  waves: { wave: number; services: string[]; cycle?: string[] }[];
  services: ServicePlan[];
  /** Findings about the cluster as a whole; each service's own are in its ServicePlan. */
  findings: Finding[];
  /** No 'error' finding, cluster-wide or in any service. */
  ok: boolean;
}

type AliasKind = 'virtual service' | 'Cloud Map' | 'Route 53' | 'Service Connect' | '--client-alias';
interface Candidate {
  name: string;
  kind: AliasKind;
  source: string;
}

/** A virtual service that names a node as (one of) its providers. */
interface Provided {
  name: string;
  source: string;
  router?: DescribedVirtualRouter;
  /** The node the alias goes to: the heaviest target of the router (the node itself when provided directly). */
  owner: string;
  share: number;
  total: number;
}

interface Draft {
  facts: ServiceFacts;
  status: ServicePlan['status'];
  proxies: Set<string>;
  app?: string;
  virtualNode?: { mesh: string; name: string };
  node?: DescribedVirtualNode;
  nodeSource?: string;
  owned: Provided[];
  lost: Provided[];
  gatewayRoutes: DescribedGatewayRoute[];
  ports: { port: number; protocol: MeshProtocol }[];
  candidates: Candidate[];
  alias?: Candidate;
  namespace?: string;
  namespaceExists: boolean;
  listeners: PlannedListener[];
  backends: { name: string; servedBy?: string }[];
  findings: Finding[];
  sources: string[];
}

const APP_PROTOCOLS: readonly string[] = ['http', 'http2', 'grpc'];
const MESH_PROTOCOLS: readonly string[] = ['http', 'http2', 'grpc', 'tcp'];
/** ALB (`x.us-west-2.elb.amazonaws.com`), NLB (`x.elb.us-west-2.amazonaws.com`) and China (`….com.cn`) names. */
const LOAD_BALANCER_NAME = /(^|\.)elb(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;
/** The host of each URL in a value: `http://user@payments.local:5000/x` holds `payments.local`. */
const URL_HOST = /[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#\s]*@)?([a-z0-9_.-]+)/gi;
/** Host-like words of a value (`payments.local:5000,orders.local:80`). */
const HOST_WORD = /[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?/gi;

/** Code-unit order, the same on every machine (localeCompare is not). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lower case, no surrounding space, no trailing dot: how DNS names are compared. */
function normalizeHost(name: string): string {
  return name.trim().toLowerCase().replace(/\.+$/, '');
}

function note(d: Draft, level: Finding['level'], message: string): void {
  d.findings.push({ level, service: d.facts.service, message });
}

function addSource(d: Draft, source: string): void {
  if (!d.sources.includes(source)) d.sources.push(source);
}

function containersOf(d: Draft): ContainerDefinition[] {
  return d.facts.described.taskDefinition.containerDefinitions ?? [];
}

// ---- rule 1: which services --------------------------------------------------------------------

/** The envoy sidecar: the container named envoy, and the one an APPMESH proxyConfiguration names. */
function statusOf(facts: ServiceFacts): ServicePlan['status'] {
  const td = facts.described.taskDefinition;
  if (hasEnvoy(facts.described) || td.proxyConfiguration?.type === 'APPMESH') return 'migrate';
  return facts.serviceConnect ? 'migrated' : 'not-in-mesh';
}

function newDraft(facts: ServiceFacts): Draft {
  return {
    facts,
    status: statusOf(facts),
    proxies: proxyContainers(facts.described.taskDefinition),
    owned: [],
    lost: [],
    gatewayRoutes: [],
    ports: [],
    candidates: [],
    namespaceExists: false,
    listeners: [],
    backends: [],
    findings: [],
    sources: ['task definition'],
  };
}

// ---- rule 2: node and listeners ----------------------------------------------------------------

function pickApp(d: Draft, wanted: string | undefined): void {
  const containers = containersOf(d);
  if (wanted === undefined) {
    d.app = containers.find((c) => !d.proxies.has(c.name ?? ''))?.name;
    if (!d.app) note(d, 'error', 'the task definition has no container besides envoy; there is no application to keep');
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

function appContainer(d: Draft): ContainerDefinition | undefined {
  return containersOf(d).find((c) => c.name === d.app);
}

function describeNode(d: Draft, meshes: MeshDescription[]): void {
  const vn = d.virtualNode;
  const fallback = 'the plan uses the task definition, Cloud Map and Route 53';
  if (!vn) return note(d, 'info', `envoy names no virtual node (APPMESH_VIRTUAL_NODE_NAME or APPMESH_RESOURCE_ARN); ${fallback}`);
  for (const m of meshes.filter((x) => x.mesh === vn.mesh)) {
    const node = m.virtualNodes.find((n) => n.name === vn.name);
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

function listenPorts(d: Draft, overrides: ClusterPlanInput['overrides']): void {
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
    if (declared && MESH_PROTOCOLS.includes(declared)) return { port, protocol: declared as MeshProtocol };
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

// ---- rule 3: aliases ---------------------------------------------------------------------------

/** Total weight per target node over a router's routes, heaviest first (ties by name, so the choice is stable). */
function routerWeights(router: DescribedVirtualRouter): [string, number][] {
  const weights = new Map<string, number>();
  for (const r of router.routes) for (const t of r.targets) weights.set(t.virtualNode, (weights.get(t.virtualNode) ?? 0) + t.weight);
  return [...weights].sort((a, b) => b[1] - a[1] || byName(a[0], b[0]));
}

function providerFor(m: MeshDescription, provider: NonNullable<DescribedVirtualService['provider']>, node: string) {
  if ('virtualNode' in provider) return provider.virtualNode === node ? { owner: node, share: 1, total: 1 } : undefined;
  const router = m.virtualRouters.find((r) => r.name === provider.virtualRouter);
  const weights = router ? routerWeights(router) : [];
  const mine = weights.find(([n]) => n === node);
  if (!router || !mine) return undefined;
  return { router, owner: weights[0]![0], share: mine[1], total: weights.reduce((sum, [, w]) => sum + w, 0) };
}

/**
 * The virtual services a node provides, directly or through a router that targets it. A router's virtual
 * service goes to its heaviest target only: Service Connect gives one name and port to one service, so a
 * 90/10 split cannot be kept; the lighter targets' services get it in `lost` and a warning.
 */
function provide(d: Draft, meshes: MeshDescription[]): void {
  const vn = d.virtualNode;
  if (!vn) return;
  const same = meshes.filter((x) => x.mesh === vn.mesh);
  const seen = new Set<string>();
  for (const m of same) {
    for (const vs of m.virtualServices) {
      const name = normalizeHost(vs.name);
      const p = vs.provider && !seen.has(name) ? providerFor(m, vs.provider, vn.name) : undefined;
      if (!p) continue;
      seen.add(name);
      (p.owner === vn.name ? d.owned : d.lost).push({ name, source: m.source, ...p });
    }
  }
  // Only the owner's: the lighter targets' services already hear that the virtual service is not theirs.
  const owned = new Set(d.owned.map((p) => p.name));
  const routes = same.flatMap((m) => m.gatewayRoutes).filter((g) => g.virtualService && owned.has(normalizeHost(g.virtualService)));
  d.gatewayRoutes = routes.filter((g, i) => routes.findIndex((x) => x.gateway === g.gateway && x.name === g.name) === i);
}

function isLoadBalancerName(name: string, facts: ServiceFacts): boolean {
  const n = normalizeHost(name);
  return LOAD_BALANCER_NAME.test(n) || facts.loadBalancerDnsNames.some((lb) => normalizeHost(lb) === n);
}

/** Route 53 alias targets of load balancers often carry the console's `dualstack.` prefix. */
function recordPointsAt(r: PrivateRecord, targets: Set<string>): boolean {
  const alias = r.aliasTarget ? normalizeHost(r.aliasTarget).replace(/^dualstack\./, '') : undefined;
  if (alias && targets.has(alias)) return true;
  return r.type.toUpperCase() === 'CNAME' && r.values.some((v) => targets.has(normalizeHost(v)));
}

/** The hosts rule 3(c) follows records to: the node's DNS hostname and the load balancers' names. */
function recordTargets(d: Draft): string[] {
  const discovery = d.node?.discovery;
  const host = discovery && 'dns' in discovery ? [discovery.dns.hostname] : [];
  return [...new Set([...host, ...d.facts.loadBalancerDnsNames].map(normalizeHost))];
}

function routeRecordNames(d: Draft, records: PrivateRecord[]): string[] {
  const targets = new Set(recordTargets(d));
  const wildcard = (n: string) => n.startsWith('*') || n.startsWith('\\052');
  return records.filter((r) => recordPointsAt(r, targets) && !wildcard(r.name)).map((r) => normalizeHost(r.name));
}

function cloudMapNames(d: Draft): string[] {
  const names = d.facts.registries.map((r) => `${r.service}.${r.namespace}`);
  const discovery = d.node?.discovery;
  if (discovery && 'cloudMap' in discovery) names.push(`${discovery.cloudMap.service}.${discovery.cloudMap.namespace}`);
  return names.map(normalizeHost);
}

/** Rule 3's candidates in order (a) virtual services, (b) Cloud Map, (c) Route 53; never a load balancer's name. */
function collectCandidates(d: Draft, records: PrivateRecord[]): void {
  const all: Candidate[] = [
    ...d.owned.map((p): Candidate => ({ name: p.name, kind: 'virtual service', source: p.source })),
    ...cloudMapNames(d).map((name): Candidate => ({ name, kind: 'Cloud Map', source: 'Cloud Map' })),
    ...routeRecordNames(d, records).map((name): Candidate => ({ name, kind: 'Route 53', source: 'Route 53' })),
  ];
  for (const c of all) {
    if (d.candidates.some((x) => x.name === c.name)) continue;
    if (!isLoadBalancerName(c.name, d.facts)) d.candidates.push(c);
    else note(d, 'info', `${c.name} (${c.kind}) is a load balancer's DNS name, not a client alias; skipped`);
  }
}

function lookedAt(d: Draft, meshes: MeshDescription[]): string {
  const node = d.virtualNode ? virtualNodeName(d.virtualNode.mesh, d.virtualNode.name) : 'the service (envoy names no node)';
  const sources = meshes.map((m) => m.source).join(', ') || 'none given';
  const targets = recordTargets(d).join(', ') || 'none: no DNS-discovered node and no load balancer';
  return (
    `virtual services provided by ${node} (mesh descriptions: ${sources}), its Cloud Map registrations ` +
    `(${d.facts.registries.length}), Route 53 private records pointing at ${targets}`
  );
}

function chooseAlias(d: Draft, override: string | undefined, meshes: MeshDescription[]): void {
  const chosen = override !== undefined ? { name: override, kind: '--client-alias' as const, source: 'overrides' } : d.candidates[0];
  if (!chosen) {
    const looked = lookedAt(d, meshes);
    const next = 'pass --client-alias with the name its clients call';
    return note(d, 'error', `no client alias found for ${d.facts.service}: looked at ${looked}; ${next}`);
  }
  d.alias = chosen;
  addSource(d, chosen.source);
  const others = d.candidates.filter((c) => c.name !== chosen.name);
  if (others.length > 0) {
    const list = others.map((c) => `${c.name} (${c.kind})`).join(', ');
    const why = 'but Service Connect gives a port one alias: pass --client-alias to pick another';
    note(d, 'info', `client alias ${chosen.name} (${chosen.kind}); clients may also call ${list}, ${why}`);
  }
  const problem = dnsNameProblem(chosen.name);
  if (problem) note(d, 'error', problem);
  if (isLoadBalancerName(chosen.name, d.facts)) {
    note(d, 'error', `client alias ${chosen.name} is a load balancer's DNS name; name what clients call instead`);
  }
}

// ---- rule 4: namespace -------------------------------------------------------------------------

function namespaceCandidate(d: Draft, overrides: ClusterPlanInput['overrides']): { name?: string; source?: string } {
  if (overrides.namespace !== undefined) return { name: overrides.namespace, source: 'overrides' };
  const registry = d.facts.registries[0];
  if (registry) return { name: registry.namespace, source: 'Cloud Map' };
  const discovery = d.node?.discovery;
  if (discovery && 'cloudMap' in discovery) return { name: discovery.cloudMap.namespace, source: d.nodeSource };
  const parent = d.alias?.name.split('.').slice(1).join('.');
  return { name: parent || undefined };
}

function chooseNamespace(d: Draft, input: ClusterPlanInput): void {
  const { name, source } = namespaceCandidate(d, input.overrides);
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

/** A serviceConnectConfiguration's namespace as a name: ECS accepts a name, an id or an ARN there. */
function namespaceName(value: string | undefined, namespaces: NamespaceFacts[]): string | undefined {
  if (!value) return undefined;
  const id = value.startsWith('arn:') ? value.split('/').pop() : value;
  return namespaces.find((n) => n.id === id || n.name === value)?.name ?? value;
}

function portMappingNamed(d: Draft, portName: string): PortMapping | undefined {
  return containersOf(d)
    .flatMap((c) => c.portMappings ?? [])
    .find((m) => m.name === portName);
}

/** A migrated service's listeners from its serviceConnectConfiguration, with ECS's default dnsName (discoveryName.namespace). */
function describeMigrated(d: Draft, namespaces: NamespaceFacts[]): void {
  const sc = d.facts.serviceConnect!;
  d.namespace = namespaceName(sc.namespace, namespaces);
  d.namespaceExists = namespaces.some((n) => n.name === d.namespace);
  addSource(d, 'Service Connect');
  for (const s of sc.services ?? []) {
    const mapping = portMappingNamed(d, s.portName);
    const discoveryName = s.discoveryName ?? s.portName;
    const aliases = s.clientAliases?.length ? s.clientAliases : mapping?.containerPort ? [{ port: mapping.containerPort }] : [];
    const appProtocol = mapping?.appProtocol?.toLowerCase();
    const protocol = (appProtocol && APP_PROTOCOLS.includes(appProtocol) ? appProtocol : 'tcp') as MeshProtocol;
    for (const a of aliases) {
      const dnsName = normalizeHost(a.dnsName ?? `${discoveryName}.${d.namespace ?? ''}`);
      const port = mapping?.containerPort ?? a.port;
      d.listeners.push({ port, protocol, portName: s.portName, discoveryName, alias: { dnsName, port: a.port } });
      d.candidates.push({ name: dnsName, kind: 'Service Connect', source: 'Service Connect' });
    }
  }
}

// ---- rule 5: port names and discovery names ----------------------------------------------------

interface NameBook {
  /** Cloud Map service names per namespace, lower case: what exists, and what migrated services created. */
  existing: Map<string, Set<string>>;
  /** discoveryName → the service of this plan that takes it; unique across the whole plan. */
  planned: Map<string, string>;
}

function nameBook(input: ClusterPlanInput, drafts: Draft[]): NameBook {
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
  const alias = `${d.alias!.name}:${d.ports.map((p) => p.port).join(',')}`;
  const own = `Service Connect creates a Cloud Map service of its own, so it uses ${free} (clients still call ${alias})`;
  note(d, 'info', `discoveryName ${name} is taken in namespace ${namespace}: ${renameReason(d, name, taken)}; ${own}`);
  return free;
}

function nameListeners(d: Draft, book: NameBook): void {
  if (!d.alias || !d.namespace) return;
  const base = toEcsName(d.alias.name.split('.')[0]!);
  d.listeners = d.ports.map((p, i) => {
    const portName = i === 0 ? base : suffixedEcsName(base, `-${p.port}`);
    const discoveryName = freeDiscoveryName(d, book, portName);
    book.planned.set(discoveryName, d.facts.service);
    return { port: p.port, protocol: p.protocol, portName, discoveryName, alias: { dnsName: d.alias!.name, port: p.port } };
  });
  for (const l of d.listeners) {
    for (const problem of [portNameProblem(l.portName), discoveryNameProblem(l.discoveryName)]) if (problem) note(d, 'error', problem);
  }
}

// ---- rule 6: alias unique in the namespace -----------------------------------------------------

function checkAliasClashes(drafts: Draft[]): void {
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

// ---- rule 7: backends --------------------------------------------------------------------------

interface NameIndex {
  /** The alias a service publishes (or keeps publishing) on Service Connect. */
  primary: Map<string, Draft[]>;
  /** Other names it is known by today. */
  secondary: Map<string, Draft[]>;
}

function indexNames(drafts: Draft[]): NameIndex {
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

/**
 * The hosts a value may name: URL hosts, dotted words, or the whole value when it is one word. A single
 * word elsewhere (a path segment like `/payments`) is no host.
 */
function hostsIn(value: string): string[] {
  const urls = [...value.matchAll(URL_HOST)].map((m) => m[1]!);
  const words = (value.match(HOST_WORD) ?? []).filter((w) => w.includes('.'));
  const whole = /^[a-z0-9_-]+$/i.test(value.trim()) ? [value.trim()] : [];
  return [...new Set([...urls, ...words, ...whole].map(normalizeHost))];
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

function findBackends(d: Draft, index: NameIndex): void {
  const names = d.node ? d.node.backends.map(normalizeHost) : inferBackends(d, index);
  for (const name of [...new Set(names)]) {
    const hit = serversOf(index, name);
    d.backends.push(hit ? { name, servedBy: hit.server.facts.service } : { name });
    checkBackend(d, name, hit);
  }
}

// ---- rule 9: what Service Connect has no equivalent for ----------------------------------------

const SUGGEST = {
  weighted: 'use an ECS blue/green deployment, or two services behind one client alias shifting traffic by desired count',
  retry: 'Service Connect retries failed connections itself; add application-level retries for anything more',
  timeout: 'set serviceConnectConfiguration.services[].timeout (idleTimeoutSeconds, perRequestTimeoutSeconds)',
  tcp: 'Service Connect proxies it without HTTP features; check idle timeouts for long-lived connections',
  gateway: 'put an Application Load Balancer listener rule in front of the service instead of the virtual gateway',
};

function routeFindings(d: Draft, p: Provided): void {
  for (const r of p.router?.routes ?? []) {
    if (r.targets.length > 1) {
      const split = r.targets.map((t) => `${t.virtualNode} ${t.weight}`).join(', ');
      const only = `Service Connect has no weighted routing, the alias goes to ${p.owner} only`;
      note(d, 'warn', `${p.name}: route ${r.name} splits traffic (${split}); ${only}: ${SUGGEST.weighted}`);
    }
    if (r.retryPolicy) note(d, 'warn', `${p.name}: route ${r.name} has a retry policy: ${SUGGEST.retry}`);
    if (r.timeout) note(d, 'warn', `${p.name}: route ${r.name} sets timeouts: ${SUGGEST.timeout}`);
  }
}

function unsupported(d: Draft): void {
  for (const l of d.ports.filter((x) => x.protocol === 'tcp')) note(d, 'warn', `port ${l.port} is TCP: ${SUGGEST.tcp}`);
  for (const p of d.owned) routeFindings(d, p);
  for (const p of d.lost) {
    const weight = `weight ${p.share} of ${p.total}`;
    const sends = `${p.name} sends this service's node ${d.virtualNode!.name} ${weight} through router ${p.router!.name}`;
    note(d, 'warn', `${sends}, but a client alias belongs to one service: it goes to ${p.owner}; ${SUGGEST.weighted}`);
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
    if (APP_PROTOCOLS.includes(l.protocol)) named.appProtocol = l.protocol as PortMapping['appProtocol'];
    else delete named.appProtocol;
    if (i >= 0) out[i] = named;
    else out.push(named);
  }
  return out;
}

// TODO: use service-connect's withoutEnvoy once exported
/**
 * The register input without envoy (and the container an APPMESH proxyConfiguration names), the waits for
 * it and the proxy configuration; the app's ports named. Unlike service-connect's, it reads the proxy's name
 * from the proxyConfiguration too and leaves a missing app container to the findings instead of throwing.
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

function render(d: Draft): Pick<ServicePlan, 'taskDefinition' | 'serviceConnectConfiguration'> {
  if (d.status !== 'migrate' || !d.app || !d.namespace || d.listeners.length === 0) return {};
  const taskDefinition = withoutEnvoy(d);
  checkPortNames(d, taskDefinition);
  const services = d.listeners.map((l) => ({
    portName: l.portName,
    discoveryName: l.discoveryName,
    // Exactly one alias: ECS allows one per Service Connect service.
    clientAliases: [{ port: l.alias.port, dnsName: l.alias.dnsName }],
  }));
  return { taskDefinition, serviceConnectConfiguration: { enabled: true, namespace: d.namespace, services } };
}

// ---- rule 8: waves -----------------------------------------------------------------------------

/** Strongly connected components (Tarjan), each sorted; a component is emitted after those it depends on. */
function components(nodes: string[], edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      scc.push(w);
    } while (w !== v);
    out.push(scc.sort(byName));
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

/** Kahn's levels over the components: level 1 depends on nothing unmigrated, level n on levels below it. */
function levels(sccs: string[][], edges: Map<string, string[]>): string[][][] {
  const of = new Map(sccs.flatMap((scc, i) => scc.map((s) => [s, i] as const)));
  const deps = sccs.map(
    (scc, i) =>
      new Set(
        scc
          .flatMap((s) => edges.get(s) ?? [])
          .map((w) => of.get(w)!)
          .filter((j) => j !== i),
      ),
  );
  const done = new Set<number>();
  const out: string[][][] = [];
  while (done.size < sccs.length) {
    const ready = sccs.map((_, i) => i).filter((i) => !done.has(i) && [...deps[i]!].every((j) => done.has(j)));
    if (ready.length === 0) break; // cannot happen: components form a DAG
    ready.forEach((i) => done.add(i));
    out.push(ready.map((i) => sccs[i]!));
  }
  return out;
}

function planWaves(drafts: Draft[]): { waves: ClusterPlan['waves']; findings: Finding[] } {
  const migrating = drafts.filter((d) => d.status === 'migrate');
  const names = new Set(migrating.map((d) => d.facts.service));
  // A self-loop is no reason to wait, so it is no edge.
  const servers = (d: Draft) => [...new Set(d.backends.flatMap((b) => (b.servedBy ? [b.servedBy] : [])))];
  const waitsFor = (d: Draft) =>
    servers(d)
      .filter((s) => names.has(s) && s !== d.facts.service)
      .sort(byName);
  const edges = new Map(migrating.map((d) => [d.facts.service, waitsFor(d)]));
  const waves: ClusterPlan['waves'] = [];
  const findings: Finding[] = [];
  for (const level of levels(components([...names].sort(byName), edges), edges)) {
    const singles = level
      .filter((scc) => scc.length === 1)
      .flat()
      .sort(byName);
    if (singles.length > 0) waves.push({ wave: waves.length + 1, services: singles });
    for (const cycle of level.filter((scc) => scc.length > 1).sort((a, b) => byName(a[0]!, b[0]!))) {
      waves.push({ wave: waves.length + 1, services: cycle, cycle });
      findings.push({ level: 'warn', message: cycleMessage(cycle, waves.length) });
    }
  }
  return { waves, findings };
}

function cycleMessage(cycle: string[], wave: number): string {
  return (
    `${cycle.join(', ')} call each other, so they roll together in wave ${wave}: during the roll they call each other across the ` +
    "App Mesh / Service Connect boundary, and the ones migrated first cannot be called by the others' old tasks " +
    'until those are redeployed too'
  );
}

// ---- the plan ----------------------------------------------------------------------------------

function clusterFindings(input: ClusterPlanInput, migrating: number): Finding[] {
  const findings: Finding[] = [];
  if (input.overrides.clientAlias !== undefined && migrating > 1) {
    const next = 'plan one service at a time with it, or drop it';
    const message = `--client-alias names one service's alias, but ${migrating} services migrate; ${next}`;
    findings.push({ level: 'error', message });
  }
  if (input.meshes.length === 0 && migrating > 0) {
    const from = 'listeners come from task definitions, aliases from Cloud Map and Route 53, backends from environment variables';
    const message = `no mesh description: ${from}`;
    findings.push({ level: 'info', message });
  }
  for (const m of input.meshes) {
    for (const u of m.unresolved) {
      findings.push({ level: 'warn', message: `${m.source}: ${u} could not be resolved; the plan may miss what it names` });
    }
  }
  return findings;
}

function draftMigrating(d: Draft, input: ClusterPlanInput, override: string | undefined): void {
  const node = meshNodeOf(d.facts.described);
  d.virtualNode = node && { mesh: node.mesh, name: node.node };
  pickApp(d, input.overrides.appContainer);
  describeNode(d, input.meshes);
  listenPorts(d, input.overrides);
  if (d.ports.length === 0) {
    note(d, 'error', 'no port to publish: no mesh listener, no AppPorts in the proxy configuration, no port mapping on the app container');
  }
  provide(d, input.meshes);
  collectCandidates(d, input.records);
  chooseAlias(d, override, input.meshes);
  chooseNamespace(d, input);
}

function toServicePlan(d: Draft): ServicePlan {
  const rendered = render(d);
  return {
    service: d.facts.service,
    status: d.status,
    ...(d.virtualNode ? { virtualNode: d.virtualNode } : {}),
    ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
    namespaceExists: d.namespaceExists,
    listeners: d.listeners,
    backends: d.backends,
    findings: d.findings,
    ...rendered,
    sourceOf: d.sources,
  };
}

/**
 * The facts of a cluster's services (task definitions, Cloud Map, Route 53, load balancers, any mesh
 * descriptions) in; for every service what Service Connect needs (aliases, names, namespace, the
 * envoy-free task definition), its backends, and the waves to roll them in, servers first, out.
 */
export function planCluster(input: ClusterPlanInput): ClusterPlan {
  const drafts = input.services.map(newDraft);
  const migrating = drafts.filter((d) => d.status === 'migrate');
  const findings = clusterFindings(input, migrating.length);
  const override = migrating.length === 1 ? input.overrides.clientAlias : undefined;
  for (const d of drafts) {
    if (d.status === 'migrate') draftMigrating(d, input, override);
    else if (d.status === 'migrated') describeMigrated(d, input.namespaces);
    else collectCandidates(d, input.records);
  }
  const book = nameBook(input, drafts);
  for (const d of migrating) nameListeners(d, book);
  checkAliasClashes(drafts);
  const index = indexNames(drafts);
  for (const d of migrating) {
    findBackends(d, index);
    unsupported(d);
  }
  const waves = planWaves(drafts);
  findings.push(...waves.findings);
  const services = drafts.map(toServicePlan);
  const ok = ![...findings, ...services.flatMap((s) => s.findings)].some((f) => f.level === 'error');
  return { waves: waves.waves, services, findings, ok };
}
