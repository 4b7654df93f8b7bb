import { readCloudMap } from './cloud-map.js';
import { nameOfArn } from '../core/arn.js';
import { planCleanup, type CleanupPlan, type RevisionFacts, type RoleFacts } from '../core/cleanup-plan.js';
import { mapLimit } from '../core/concurrency.js';
import { ENVOY_CONTAINER, hasEnvoy } from '../core/render-envoy.js';
import type { Context } from './context.js';

/** Reads what cleanup judges: every ACTIVE revision, the services' revisions, the task roles, Cloud Map. */
export async function gatherCleanup(ctx: Context, cluster: string, keep: number): Promise<CleanupPlan> {
  const ecs = await ctx.aws.ecs();
  const services = await ecs.describeServicesBatch(cluster, (await ecs.listServices(cluster)).map(nameOfArn));
  // What runs: the service's revision (its PRIMARY deployment's) and any older deployment still draining.
  const inUse = services
    .flatMap((s) => [s.taskDefinition, ...(s.deployments ?? []).filter((d) => d.status !== 'PRIMARY').map((d) => d.taskDefinition)])
    .filter((a): a is string => !!a);
  const revisions: RevisionFacts[] = await mapLimit(await ecs.listAllTaskDefinitions(), 8, async (arn) => {
    ctx.checkpoint();
    const d = await ecs.describeTaskDefinition(arn);
    const envoy = d.taskDefinition.containerDefinitions?.find((c) => c.name === ENVOY_CONTAINER);
    const resource = envoy?.environment?.find((e) => e.name === 'APPMESH_RESOURCE_ARN')?.value ?? '';
    return {
      arn,
      envoy: hasEnvoy(d) || d.taskDefinition.proxyConfiguration?.type === 'APPMESH',
      gateway: /\/virtualGateway\//.test(resource),
      taskRoleArn: d.taskDefinition.taskRoleArn,
    };
  });
  const gatewayServices = services.filter((s) => revisions.some((r) => r.gateway && r.arn === s.taskDefinition)).map((s) => s.serviceName!);
  const iam = await ctx.aws.iam();
  const roleArns = [...new Set(revisions.filter((r) => r.envoy).flatMap((r) => (r.taskRoleArn ? [r.taskRoleArn] : [])))];
  const roles: RoleFacts[] = [];
  for (const arn of roleArns) {
    const name = nameOfArn(arn);
    if (!(await iam.getRole(name))) continue;
    const inline = [];
    for (const p of await iam.listRolePolicies(name)) inline.push({ name: p, document: await iam.getRolePolicy(name, p) });
    roles.push({ name, arn, attached: await iam.listAttachedRolePolicies(name), inline });
  }
  const cloudMapServices = (await readCloudMap(ctx)).flatMap((ns) => ns.services.map((s) => ({ ...s, namespace: ns.name })));
  const registered = services.flatMap((s) => (s.serviceRegistries ?? []).map((r) => nameOfArn(r.registryArn ?? '')));
  return planCleanup({ revisions, inUse, roles, cloudMapServices, registered, gatewayServices, keep });
}

/** Carries out the plan: deregisters the revisions, detaches and deletes the App Mesh permissions. */
export async function runCleanup(ctx: Context, plan: CleanupPlan): Promise<void> {
  const ecs = await ctx.aws.ecs();
  for (const arn of plan.deregister) {
    ctx.checkpoint();
    await ecs.deregisterTaskDefinition(arn);
  }
  const iam = await ctx.aws.iam();
  for (const d of plan.detach) {
    ctx.checkpoint();
    await iam.detachRolePolicy(d.role, d.policyArn);
  }
  for (const d of plan.deleteInline) {
    ctx.checkpoint();
    await iam.deleteRolePolicy(d.role, d.policy);
  }
}
