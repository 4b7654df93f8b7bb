import type { ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import { registryOf } from './cloud-map.js';
import { nameOfArn } from '../core/arn.js';
import {
  checklistOf,
  ENVOY_ACCESS_POLICY,
  ENVOY_ACTION,
  type DoctorFacts,
  type RolePolicy,
  type ServiceConnectFacts,
  type TaskRoleFacts,
} from '../core/doctor/checks.js';
import { serviceConnectOf } from '../core/doctor/service-connect.js';
import { policyPermits } from '../core/iam-policy.js';
import { meshNodeOf } from '../core/envoy/proxy.js';
import type { Context } from '../runtime/context.js';
import { isServiceGone } from '../aws/aws-error.js';
import type { ServiceTarget } from './service.js';

/**
 * The role and every policy it has: an explicit Deny in any of them beats an Allow in another, so all
 * are read. AWSAppMeshEnvoyAccess is known (it allows envoy's action and nothing else) and not fetched.
 */
async function taskRoleOf(ctx: Context, roleName: string): Promise<TaskRoleFacts> {
  const iam = await ctx.aws.iam();
  const role = await iam.getRole(roleName);
  if (!role) return { name: roleName, exists: false };
  const policies: RolePolicy[] = [];
  for (const arn of await iam.listAttachedRolePolicies(roleName)) {
    const document = arn === ENVOY_ACCESS_POLICY ? undefined : await iam.getPolicyDocument(arn);
    policies.push({ kind: 'managed', name: nameOfArn(arn), arn, document });
  }
  for (const name of await iam.listRolePolicies(roleName)) {
    policies.push({ kind: 'inline', name, document: await iam.getRolePolicy(roleName, name) });
  }
  const facts: TaskRoleFacts = { name: roleName, exists: true, policies };
  const boundaryArn = role.permissionsBoundaryArn;
  if (boundaryArn) {
    facts.boundary = { arn: boundaryArn, allows: policyPermits(await iam.getPolicyDocument(boundaryArn), ENVOY_ACTION) };
  }
  return facts;
}

/** What the Service Connect checks compare with: Cloud Map's namespaces, the cluster's services and their registrations. */
async function serviceConnectFactsOf(ctx: Context, cluster: string, sc: ServiceConnectConfiguration): Promise<ServiceConnectFacts> {
  const sd = await ctx.aws.serviceDiscovery();
  const namespaces = (await sd.listNamespaces()).map(({ id, name }) => ({ id, name }));
  const ecs = await ctx.aws.ecs();
  const clusterServices = await ecs.describeServicesBatch(cluster, (await ecs.listServices(cluster)).map(nameOfArn));
  const registries: ServiceConnectFacts['registries'] = {};
  const arns = new Set(clusterServices.flatMap((s) => (s.serviceRegistries ?? []).flatMap((r) => (r.registryArn ? [r.registryArn] : []))));
  for (const arn of arns) {
    ctx.checkpoint();
    const reg = await registryOf(ctx, arn, namespaces);
    if (reg) registries[arn] = { service: reg.service, namespace: reg.namespace };
  }
  return { namespaces, clusterServices, registries, tlsRoles: await tlsRolesOf(ctx, sc) };
}

/** Each TLS role the configuration names: whether IAM has it and its attached policies; IAM out of reach leaves it unread. */
async function tlsRolesOf(ctx: Context, sc: ServiceConnectConfiguration): Promise<ServiceConnectFacts['tlsRoles']> {
  const arns = [...new Set((sc.services ?? []).flatMap((s) => (s.tls?.roleArn ? [s.tls.roleArn] : [])))];
  const out: NonNullable<ServiceConnectFacts['tlsRoles']> = {};
  for (const arn of arns) {
    try {
      const iam = await ctx.aws.iam();
      const role = await iam.getRole(nameOfArn(arn));
      out[arn] = { found: !!role, attached: role ? await iam.listAttachedRolePolicies(nameOfArn(arn)) : [] };
    } catch (err) {
      if (!isServiceGone(err)) throw err;
      out[arn] = undefined;
    }
  }
  return out;
}

/**
 * Reads what the checks need: the service, its task definition and role; with envoy, the virtual node
 * (while App Mesh answers) and the registry; without, what Service Connect's configuration names.
 */
export async function gatherFacts(ctx: Context, target: ServiceTarget): Promise<DoctorFacts> {
  const ecs = await ctx.aws.ecs();
  const service = await ecs.describeServices(target.cluster, target.service);
  const described = await ecs.describeTaskDefinition(service.taskDefinition!);
  const facts: DoctorFacts = { described, service };
  const roleArn = described.taskDefinition.taskRoleArn;
  if (roleArn) facts.taskRole = await taskRoleOf(ctx, nameOfArn(roleArn));

  if (checklistOf(described) === 'service-connect') {
    const sc = serviceConnectOf(service);
    if (sc?.enabled) facts.serviceConnect = await serviceConnectFactsOf(ctx, target.cluster, sc);
    return facts;
  }

  const node = meshNodeOf(described);
  if (node) {
    try {
      const vn = await (await ctx.aws.appMesh()).describeVirtualNode(node.mesh, node.node);
      facts.virtualNode = { mesh: node.mesh, name: node.node, exists: !!vn && vn.status !== 'DELETED', spec: vn?.spec };
    } catch (err) {
      if (!isServiceGone(err)) throw err;
      facts.appMeshUnreachable = `App Mesh could not be read (${err.operation}: ${err.errorName}${err.httpStatus ? `, HTTP ${err.httpStatus}` : ''})`;
    }
  }
  const registryArn = service.serviceRegistries?.[0]?.registryArn;
  // Only the Cloud Map check reads the registry, and it needs the virtual node.
  if (registryArn && !facts.appMeshUnreachable) {
    const sd = await ctx.aws.serviceDiscovery();
    const svc = await sd.getService(nameOfArn(registryArn));
    facts.registry = { service: svc.name, namespace: svc.namespaceId ? (await sd.getNamespace(svc.namespaceId)).name : undefined };
  }
  return facts;
}
