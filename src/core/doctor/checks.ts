import type { Service } from '@aws-sdk/client-ecs';
import { hasEnvoy } from '../envoy/proxy.js';
import { type DescribedTaskDefinition } from '../task-definition.js';
import { type VirtualNodeSpec } from '../envoy/proxy.js';
import { policyAllows, policyDenies } from '../iam-policy.js';
import { serviceConnectChecks } from './service-connect.js';
import { appMeshChecks } from './app-mesh.js';

export const ENVOY_ACCESS_POLICY = 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess';
/** What envoy calls to fetch its configuration; a task role without it fails its health check. */
export const ENVOY_ACTION = 'appmesh:StreamAggregatedResources';

/** A service with envoy gets the App Mesh checklist; one without gets the Service Connect one (after `meshctl migrate`). */
export type Checklist = 'app-mesh' | 'service-connect';

/** Every check doctor runs, in the order a report shows them: the id (stable, in --json) and its title. */
export const CHECKS = {
  'app-mesh': { checklist: 'app-mesh', title: 'App Mesh can be read' },
  'task-role': { checklist: 'app-mesh', title: `the task role allows ${ENVOY_ACTION}` },
  'virtual-node': { checklist: 'app-mesh', title: 'the virtual node envoy names exists' },
  'listener-port': { checklist: 'app-mesh', title: "the node's listener port is among AppPorts and the app's ports" },
  'cloud-map': { checklist: 'app-mesh', title: "the node's Cloud Map service is the ECS service's registry" },
  awsvpc: { checklist: 'app-mesh', title: 'the task uses awsvpc networking' },
  'ignored-uid': { checklist: 'app-mesh', title: "envoy's user is the proxy's IgnoredUID or IgnoredGID" },
  'depends-on': { checklist: 'app-mesh', title: 'the app container waits for envoy HEALTHY' },
  'egress-ignored-ips': { checklist: 'app-mesh', title: 'EgressIgnoredIPs holds the metadata addresses' },
  'image-region': { checklist: 'app-mesh', title: "the envoy image is in the task's region" },
  'image-version': { checklist: 'app-mesh', title: 'the envoy image is current' },
  'sc-configuration': { checklist: 'service-connect', title: 'the service has a Service Connect configuration' },
  'sc-namespace': { checklist: 'service-connect', title: 'its namespace exists in Cloud Map' },
  'sc-port-names': { checklist: 'service-connect', title: 'its portNames are named ports of the task definition' },
  'sc-app-protocol': { checklist: 'service-connect', title: 'those port mappings set appProtocol' },
  'sc-alias-count': { checklist: 'service-connect', title: 'each Service Connect service has exactly one client alias' },
  'sc-alias-unique': { checklist: 'service-connect', title: 'its client aliases are unique in the namespace' },
  'sc-backends': { checklist: 'service-connect', title: 'every backend it calls is served through Service Connect' },
  'sc-carried': { checklist: 'service-connect', title: 'its timeouts, TLS and access log (carried from App Mesh) hold together' },
  'sc-task-role': { checklist: 'service-connect', title: 'the task role exists and holds no App Mesh-only policy' },
} as const satisfies Record<string, { checklist: Checklist; title: string }>;

export type CheckId = keyof typeof CHECKS;

/** A policy of the task role, as IAM gives it. */
export interface RolePolicy {
  kind: 'managed' | 'inline';
  name: string;
  /** A managed policy's ARN. */
  arn?: string;
  /** The document (URL-encoded JSON as IAM returns it, or parsed); not read for AWSAppMeshEnvoyAccess, whose content is known. */
  document?: unknown;
}

/** The task role: whether it exists, its policies, and its permissions boundary (GetRole's PermissionsBoundary). */
export interface TaskRoleFacts {
  name: string;
  exists: boolean;
  policies?: RolePolicy[];
  /** Whether the boundary policy allows (and does not deny) envoy's action. */
  boundary?: { arn: string; allows: boolean };
}

/** What the Service Connect checks read besides the service itself; only gathered when it has a configuration. */
export interface ServiceConnectFacts {
  /** Cloud Map namespaces (ListNamespaces). */
  namespaces: { id: string; name: string }[];
  /** The cluster's services as DescribeServices answers them (this one may be among them). */
  clusterServices: Service[];
  /** Cloud Map registrations by registry ARN (serviceRegistries → GetService, and its namespace's name). */
  registries: Record<string, { service: string; namespace: string }>;
  /** What IAM said of each services[].tls.roleArn: found and its attached managed policies; absent when not read. */
  tlsRoles?: Record<string, { found: boolean; attached: string[] } | undefined>;
}

/** What doctor read from AWS, as plain data; undefined where it could not be read. */
export interface DoctorFacts {
  described: DescribedTaskDefinition;
  service?: Service;
  taskRole?: TaskRoleFacts;
  virtualNode?: { mesh: string; name: string; exists: boolean; spec?: VirtualNodeSpec };
  /** Why App Mesh could not be read (gone after 2026-09-30, or out of reach): the checks that need it are skipped. */
  appMeshUnreachable?: string;
  /** The Cloud Map service behind the ECS service's first registry. */
  registry?: { namespace?: string; service?: string };
  serviceConnect?: ServiceConnectFacts;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  title: string;
  detail: string;
  fix?: string;
}

/** The checklist a task definition gets: App Mesh's while it runs envoy, Service Connect's after. */
export function checklistOf(described: DescribedTaskDefinition): Checklist {
  return hasEnvoy(described) ? 'app-mesh' : 'service-connect';
}

export const isEnvoyAccess = (p: RolePolicy) => p.arn === ENVOY_ACCESS_POLICY;
export const policyLabel = (p: RolePolicy) => (isEnvoyAccess(p) ? 'AWSAppMeshEnvoyAccess' : `${p.kind} policy ${p.name}`);

/** Which of the role's policies allows envoy's action (AWSAppMeshEnvoyAccess first), and which denies it. */
export function envoyAccessOf(role: TaskRoleFacts): { allowedBy?: string; deniedBy?: string } {
  const policies = role.policies ?? [];
  const allowing = policies.find(isEnvoyAccess) ?? policies.find((p) => policyAllows(p.document, ENVOY_ACTION));
  const denying = policies.find((p) => !isEnvoyAccess(p) && policyDenies(p.document, ENVOY_ACTION));
  return { allowedBy: allowing && policyLabel(allowing), deniedBy: denying && policyLabel(denying) };
}

// ---- results -------------------------------------------------------------------------------------
export function runChecks(facts: DoctorFacts): CheckResult[] {
  return checklistOf(facts.described) === 'app-mesh' ? appMeshChecks(facts) : serviceConnectChecks(facts);
}
