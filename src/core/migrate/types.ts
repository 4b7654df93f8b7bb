import type { RegisterTaskDefinitionCommandInput, ServiceConnectConfiguration, ContainerDefinition } from '@aws-sdk/client-ecs';
import { MeshDescription, DescribedVirtualRouter, DescribedVirtualNode, DescribedGatewayRoute } from '../mesh/description.js';
import { MeshProtocol } from '../protocol.js';
import { DescribedTaskDefinition } from '../task-definition.js';
import type { ServiceRuntime } from './prerequisites.js';
import type { ScheduledTaskFacts, StandaloneTask } from './standalone.js';
import type { Carried, CertificateFacts, TlsRoleFacts } from './carry.js';
import type { ParityRow } from './parity.js';

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
    /** --client-alias NAME[:PORT] for the one service selected: the name (and port) its clients call. */
    clientAlias?: { service: string; name: string; port?: number };
    /** --alias-owner VIRTUAL_SERVICE=ECS_SERVICE: who takes a virtual service's name when routes do not decide. */
    aliasOwners?: Record<string, string>;
    appProtocol?: 'http' | 'http2' | 'grpc';
    createNamespace?: boolean;
    appContainer?: string;
    /** --tls-role: the infrastructure role Service Connect TLS uses (services[].tls.roleArn). */
    tlsRole?: string;
    /** --allow-partial: an object a CloudFormation or Terraform source left out is a warning, not an error. */
    allowPartial?: boolean;
  };
  /** What ACM said of the listeners' certificates (DescribeCertificate), for TLS. */
  certificates?: CertificateFacts[];
  /** What IAM said of --tls-role, when it answered. */
  tlsRoleFacts?: TlsRoleFacts;
  /** EventBridge rule targets and schedules that run ECS tasks (steps/standalone-tasks.ts). */
  scheduled?: ScheduledTaskFacts[];
  /** How each service runs: launch type, platform version, its cluster's agents (for Service Connect's prerequisites). */
  runtime?: ServiceRuntime[];
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

/** A route of a virtual router, as the plan reports what Service Connect keeps of it. */
export interface RouteReport {
  name: string;
  /** Its weighted targets, as ECS services where one runs the node (else the node's name). */
  split: { target: string; weight: number }[];
  /** Its match conditions (`header x-color = blue`, `prefix /api`, …); none: a default route. */
  matches: string[];
  /** What Service Connect does not keep of it; empty when it keeps all of it. */
  lost: string[];
}

/** A virtual service this ECS service is behind, and who takes its name on Service Connect. */
export interface VirtualServiceReport {
  name: string;
  /** The ECS services whose nodes are behind it, directly or through its router. */
  behind: string[];
  /** The ECS service its name goes to; null when nothing decides (ties, header routing without a default). */
  owner: string | null;
  /** Why that one: the only provider, the heaviest default route, or --alias-owner. */
  decidedBy: 'only provider' | 'heaviest default route' | '--alias-owner' | null;
  routes: RouteReport[];
}

/** A gateway route and the load balancer listener rule that replaces it. */
export interface GatewayRouteReport {
  name: string;
  virtualService: string | null;
  /** The ECS service that takes the virtual service's name, and its port: where the rule forwards. */
  target: { service: string; port: number } | null;
  /** The listener rule's conditions and action, in words. */
  rule: string;
  /** What a load balancer listener rule cannot do of this route (a prefix rewrite, …). */
  unsupported: string[];
}

/** What to do with one ECS service. */
export interface ServicePlan {
  service: string;
  /**
   * migrate: runs envoy and moves to Service Connect; migrated: runs no envoy and has Service Connect;
   * not-in-mesh: never had envoy; gateway: an envoy virtual gateway, left as it is (a load balancer replaces it).
   */
  status: 'migrate' | 'migrated' | 'not-in-mesh' | 'gateway';
  /** With migrate: server (publishes a name) or client-only (Service Connect client, no services); with gateway: gateway. */
  kind?: 'server' | 'client-only' | 'gateway';
  /** Virtual services it is behind, with their owner and the routes' losses. */
  virtualServices?: VirtualServiceReport[];
  /** A gateway's routes and their replacement. */
  gateway?: { mesh: string; name: string; routes: GatewayRouteReport[] };
  virtualNode?: { mesh: string; name: string };
  namespace?: string;
  namespaceExists: boolean;
  listeners: PlannedListener[];
  /**
   * Virtual service or DNS name called, the ECS service of the input that takes the name, and every ECS
   * service behind it (a router's targets): the waves put the caller after all of them.
   */
  backends: Backend[];
  findings: Finding[];
  taskDefinition?: RegisterTaskDefinitionCommandInput;
  serviceConnectConfiguration?: ServiceConnectConfiguration;
  /** The sources the facts came from: 'task definition', 'Cloud Map', 'Route 53', a mesh description's source, … */
  sourceOf: string[];
  /** EventBridge rules and schedules that still start a revision of its family with envoy. */
  standaloneTasks?: StandaloneTask[];
  /** A server discovered through Cloud Map: its envoy clients of the plan, whose endpoints for it are frozen (callers.ts). */
  frozenClients?: string[];
  /** What came of each App Mesh setting of the service on Service Connect (carry.ts, parity.ts). */
  parity?: ParityRow[];
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

export interface Backend {
  name: string;
  servedBy?: string;
  behind?: string[];
}

/** The ECS services these backends reach: each one's service and those behind it (a router's targets), once each. */
export function serversOf(backends: readonly Backend[]): string[] {
  return [...new Set(backends.flatMap((b) => [...(b.servedBy ? [b.servedBy] : []), ...(b.behind ?? [])]))];
}

type AliasKind = 'virtual service' | 'Cloud Map' | 'Route 53' | 'Service Connect' | '--client-alias';
export interface Candidate {
  name: string;
  kind: AliasKind;
  source: string;
  /** The port clients call per port of the node, where it differs (a router listens on 3000, the node on 9080). */
  ports?: Record<number, number>;
}

/** A virtual service that names a node as (one of) its providers. */
export interface Provided {
  name: string;
  source: string;
  router?: DescribedVirtualRouter;
  /** The node the alias goes to (the heaviest target of the default routes); undefined when nothing decides. */
  owner?: string;
  /** The ECS service --alias-owner gives it to. */
  ownerService?: string;
  share: number;
  total: number;
  /** Client port per node port: the router's listener port where it provides through a router. */
  ports?: Record<number, number>;
  /** Why no owner is decided, when none is. */
  undecided?: string;
  /** The ECS services behind the virtual service. */
  behind: string[];
}

export interface Draft {
  facts: ServiceFacts;
  status: ServicePlan['status'];
  kind?: ServicePlan['kind'];
  proxies: Set<string>;
  app?: string;
  virtualNode?: { mesh: string; name: string };
  node?: DescribedVirtualNode;
  nodeSource?: string;
  owned: Provided[];
  lost: Provided[];
  /** Behind a virtual service whose owner nothing decides: --alias-owner is needed. */
  undecided: Provided[];
  gateway?: { mesh: string; name: string };
  gatewayRoutes: DescribedGatewayRoute[];
  ports: { port: number; protocol: MeshProtocol }[];
  candidates: Candidate[];
  alias?: Candidate;
  namespace?: string;
  namespaceExists: boolean;
  listeners: PlannedListener[];
  backends: Backend[];
  findings: Finding[];
  sources: string[];
  virtualServices: VirtualServiceReport[];
  gatewayReport?: GatewayRouteReport[];
  /** What the serviceConnectConfiguration carries of the mesh's settings (rule 12). */
  carried?: Carried;
}

/** ALB (`x.us-west-2.elb.amazonaws.com`), NLB (`x.elb.us-west-2.amazonaws.com`) and China (`….com.cn`) names. */
export const LOAD_BALANCER_NAME = /(^|\.)elb(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;

/** Code-unit order, the same on every machine (localeCompare is not). */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function note(d: Draft, level: Finding['level'], message: string): void {
  d.findings.push({ level, service: d.facts.service, message });
}

export function addSource(d: Draft, source: string): void {
  if (!d.sources.includes(source)) d.sources.push(source);
}

export function containersOf(d: Draft): ContainerDefinition[] {
  return d.facts.described.taskDefinition.containerDefinitions ?? [];
}
