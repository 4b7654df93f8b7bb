import { nameOfArn } from '../core/arn.js';
import { ENVOY_ACCESS_POLICY, policyAllows, type DoctorFacts } from '../core/doctor.js';
import { meshNodeOf } from '../core/service-connect.js';
import type { Context } from './context.js';
import type { ServiceTarget } from './service.js';

const ACTION = 'appmesh:StreamAggregatedResources';

/** Which policy of the role allows envoy's action: AWSAppMeshEnvoyAccess, another managed one, or an inline one. */
async function envoyAccessOf(ctx: Context, roleName: string): Promise<DoctorFacts['taskRole']> {
  const iam = await ctx.aws.iam();
  if (!(await iam.getRole(roleName))) return { name: roleName, exists: false };
  const attached = await iam.listAttachedRolePolicies(roleName);
  if (attached.includes(ENVOY_ACCESS_POLICY)) return { name: roleName, exists: true, allowedBy: 'AWSAppMeshEnvoyAccess' };
  for (const arn of attached) {
    if (policyAllows(await iam.getPolicyDocument(arn), ACTION))
      return { name: roleName, exists: true, allowedBy: `managed policy ${nameOfArn(arn)}` };
  }
  for (const name of await iam.listRolePolicies(roleName)) {
    if (policyAllows(await iam.getRolePolicy(roleName, name), ACTION))
      return { name: roleName, exists: true, allowedBy: `inline policy ${name}` };
  }
  return { name: roleName, exists: true };
}

/** Reads what the checks need: the service, its task definition, role, virtual node and registry. */
export async function gatherFacts(ctx: Context, target: ServiceTarget): Promise<DoctorFacts> {
  const ecs = await ctx.aws.ecs();
  const service = await ecs.describeServices(target.cluster, target.service);
  const described = await ecs.describeTaskDefinition(service.taskDefinition!);
  const facts: DoctorFacts = { described, service };
  const roleArn = described.taskDefinition.taskRoleArn;
  if (roleArn) facts.taskRole = await envoyAccessOf(ctx, nameOfArn(roleArn));
  const node = meshNodeOf(described);
  if (node) {
    const vn = await (await ctx.aws.appMesh()).describeVirtualNode(node.mesh, node.node);
    facts.virtualNode = { mesh: node.mesh, name: node.node, exists: !!vn && vn.status !== 'DELETED', spec: vn?.spec };
  }
  const registryArn = service.serviceRegistries?.[0]?.registryArn;
  if (registryArn) {
    const sd = await ctx.aws.serviceDiscovery();
    const svc = await sd.getService(nameOfArn(registryArn));
    facts.registry = { service: svc.name, namespace: svc.namespaceId ? (await sd.getNamespace(svc.namespaceId)).name : undefined };
  }
  return facts;
}
