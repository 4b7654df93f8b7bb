import { nameOfArn, parseTaskDefinitionRef, sameRevision } from '../arn.js';
import { ENVOY_ACCESS_POLICY } from '../doctor/checks.js';
import { policyOnlyAllowsAppMesh } from '../iam-policy.js';

/*
 * What App Mesh leaves behind after a cluster's move, and what `migrate cleanup` may remove: envoy
 * revisions no service runs (keeping the last few per family), and App Mesh permissions on task roles
 * no envoy task uses any more. What it cannot judge safely is listed, never deleted.
 */

/** One task definition revision, as read. */
export interface RevisionFacts {
  arn: string;
  /** It has an envoy container or an APPMESH proxy configuration. */
  envoy: boolean;
  /** An envoy-only task definition of a virtual gateway (APPMESH_RESOURCE_ARN names a virtualGateway). */
  gateway: boolean;
  taskRoleArn?: string;
}

export interface RoleFacts {
  name: string;
  arn: string;
  attached: string[];
  inline: { name: string; document: unknown }[];
}

export interface CleanupInput {
  revisions: RevisionFacts[];
  /** The revisions services run now (every deployment's, PRIMARY or not). */
  inUse: string[];
  roles: RoleFacts[];
  /** Cloud Map services, and those an ECS service registers in (serviceRegistries) or Service Connect owns. */
  cloudMapServices: { id: string; name: string; namespace: string }[];
  registered: string[];
  /** Gateway services (running a gateway revision). */
  gatewayServices: string[];
  /** The DNS names of the load balancers in front of the gateway services. */
  gatewayDnsNames?: string[];
  /** The CloudFormation stacks that exist, with the App Mesh resources their templates declare. */
  stacks?: { name: string; appMesh: StackResource[] }[];
  /** The records of every private hosted zone. */
  records?: { zone: string; name: string; type: string; values: string[]; aliasTarget?: string }[];
  keep: number;
}

/** A resource a stack's template declares. */
export interface StackResource {
  logicalId: string;
  type: string;
}

export interface CleanupPlan {
  deregister: string[];
  detach: { role: string; policyArn: string }[];
  deleteInline: { role: string; policy: string }[];
  /** Listed for a person to judge; never deleted. `resources`: a stack's App Mesh resources (null for other kinds). */
  listed: { kind: string; name: string; why: string; resources: StackResource[] | null }[];
}

const APP_MESH_TYPE = /^AWS::AppMesh::/;

/** The `AWS::AppMesh::*` resources a parsed template declares, by logical ID (none when it is not a template). */
export function appMeshResourcesOf(template: unknown): StackResource[] {
  const resources = (template as { Resources?: unknown } | null)?.Resources;
  if (!resources || typeof resources !== 'object' || Array.isArray(resources)) return [];
  return Object.entries(resources as Record<string, { Type?: unknown } | null>)
    .filter(([, r]) => typeof r?.Type === 'string' && APP_MESH_TYPE.test(r.Type))
    .map(([logicalId, r]) => ({ logicalId, type: r!.Type as string }));
}

const noDot = (s: string) => s.replace(/\.$/, '').toLowerCase();

/** The cleanup: which envoy revisions go (not in use, beyond the last `keep` of each family), which role permissions go. */
export function planCleanup(input: CleanupInput): CleanupPlan {
  const inUse = (arn: string) => input.inUse.some((u) => sameRevision(u, arn));
  const byFamily = new Map<string, RevisionFacts[]>();
  for (const r of input.revisions) {
    const family = parseTaskDefinitionRef(r.arn)?.family;
    if (family) byFamily.set(family, [...(byFamily.get(family) ?? []), r]);
  }
  const deregister: string[] = [];
  for (const revisions of byFamily.values()) {
    const envoy = revisions
      .filter((r) => r.envoy && !r.gateway && !inUse(r.arn))
      .sort((a, b) => (parseTaskDefinitionRef(b.arn)?.revision ?? 0) - (parseTaskDefinitionRef(a.arn)?.revision ?? 0));
    deregister.push(...envoy.slice(input.keep).map((r) => r.arn));
  }
  const going = new Set(deregister);
  // A role an envoy revision that stays still names keeps its App Mesh permissions.
  const stillEnvoy = new Set(
    input.revisions
      .filter((r) => r.envoy && !going.has(r.arn) && r.taskRoleArn && (inUse(r.arn) || r.gateway))
      .map((r) => nameOfArn(r.taskRoleArn!)),
  );
  const detach: CleanupPlan['detach'] = [];
  const deleteInline: CleanupPlan['deleteInline'] = [];
  for (const role of input.roles) {
    if (stillEnvoy.has(role.name)) continue;
    if (role.attached.includes(ENVOY_ACCESS_POLICY)) detach.push({ role: role.name, policyArn: ENVOY_ACCESS_POLICY });
    for (const p of role.inline) if (policyOnlyAllowsAppMesh(p.document)) deleteInline.push({ role: role.name, policy: p.name });
  }
  const registered = new Set(input.registered);
  const orphans = input.cloudMapServices.filter((s) => !registered.has(s.id));
  // Records that still send callers to what App Mesh used: an orphaned Cloud Map name, a gateway's load balancer.
  const pointedAt = new Map<string, string>([
    ...orphans.map(
      (s) => [noDot(`${s.name}.${s.namespace}`), `Cloud Map service ${s.name}.${s.namespace}, which no ECS service registers in`] as const,
    ),
    ...(input.gatewayDnsNames ?? []).map((d) => [noDot(d), `the load balancer of a virtual gateway service (${d})`] as const),
  ]);
  const records = (input.records ?? []).flatMap((r) => {
    const target = [...r.values, ...(r.aliasTarget ? [r.aliasTarget] : [])].map(noDot).find((v) => pointedAt.has(v));
    return target
      ? [{ kind: 'Route 53 record', name: `${r.name} ${r.type} (zone ${r.zone})`, why: `points at ${pointedAt.get(target)}` }]
      : [];
  });
  const listed: Omit<CleanupPlan['listed'][number], 'resources'>[] = [
    ...orphans.map((s) => ({
      kind: 'Cloud Map service',
      name: `${s.name}.${s.namespace}`,
      why: 'no ECS service registers in it; App Mesh may have used it for discovery',
    })),
    ...input.revisions
      .filter((r) => r.gateway)
      .map((r) => ({ kind: 'gateway task definition', name: r.arn, why: 'a virtual gateway envoy: its App Mesh configuration is gone' })),
    ...input.gatewayServices.map((s) => ({
      kind: 'gateway service',
      name: s,
      why: 'runs a virtual gateway envoy; put an ALB listener rule in its place',
    })),
    ...records,
  ];
  const stacks = (input.stacks ?? [])
    .filter((s) => s.appMesh.length > 0)
    .map((s) => ({
      kind: 'CloudFormation stack',
      name: s.name,
      why: `declares ${s.appMesh.map((r) => `${r.logicalId} (${r.type})`).join(', ')}; remove them from the template and update the stack (meshctl does not change stacks)`,
      resources: s.appMesh,
    }));
  return { deregister, detach, deleteInline, listed: [...listed.map((l) => ({ ...l, resources: null })), ...stacks] };
}
