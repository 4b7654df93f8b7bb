import type { RegisterTaskDefinitionCommandInput, ServiceConnectConfiguration, ContainerDefinition } from '@aws-sdk/client-ecs';
import { MeshDescription, DescribedVirtualRouter, DescribedVirtualNode, DescribedGatewayRoute } from '../mesh/description.js';
import { MeshProtocol } from '../protocol.js';
import { DescribedTaskDefinition } from '../task-definition.js';

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
export interface Candidate {
  name: string;
  kind: AliasKind;
  source: string;
}

/** A virtual service that names a node as (one of) its providers. */
export interface Provided {
  name: string;
  source: string;
  router?: DescribedVirtualRouter;
  /** The node the alias goes to: the heaviest target of the router (the node itself when provided directly). */
  owner: string;
  share: number;
  total: number;
}

export interface Draft {
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
