import { readCloudMap } from './cloud-map.js';
import { nameOfArn, parseTaskDefinitionRef } from '../core/arn.js';
import {
  appMeshResourcesOf,
  planCleanup,
  type CleanupInput,
  type CleanupPlan,
  type RevisionFacts,
  type RoleFacts,
} from '../core/migrate/cleanup-plan.js';
import { mapLimit } from '../core/concurrency.js';
import { hasEnvoy, meshGatewayOf } from '../core/envoy/proxy.js';
import { AwsCallError, MeshctlError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { onBoard } from './board.js';
import { parseTemplateText } from './migrate-cluster.js';

/**
 * The stacks that exist and the App Mesh resources their templates declare. The template (GetTemplate),
 * not the stack's resources, is read: a stack that failed to create an App Mesh resource still declares it,
 * and moto 5.2.1 creates no App Mesh resources from a template at all. A template that cannot be parsed is
 * named in a warning and skipped.
 */
async function readStacks(ctx: Context): Promise<NonNullable<CleanupInput['stacks']>> {
  const cfn = await ctx.aws.cloudFormation();
  let stacks: Awaited<ReturnType<typeof cfn.listStacks>>;
  try {
    stacks = await cfn.listStacks();
  } catch (err) {
    // The listing is a courtesy: without cloudformation:ListStacks the cleanup itself still stands.
    if (!(err instanceof AwsCallError) || !/AccessDenied|Unauthorized/i.test(err.errorName)) throw err;
    ctx.ui.warn(`${err.message}; CloudFormation stacks that still declare App Mesh resources are not listed`);
    return [];
  }
  return mapLimit(stacks, 4, async (stack) => {
    ctx.checkpoint();
    const body = await cfn.getTemplate(stack.name);
    try {
      return { name: stack.name, appMesh: appMeshResourcesOf(await parseTemplateText(body, `the template of stack ${stack.name}`)) };
    } catch (err) {
      if (!(err instanceof MeshctlError)) throw err;
      ctx.ui.warn(`${err.message}; its App Mesh resources are not listed`);
      return { name: stack.name, appMesh: [] };
    }
  });
}

/** The DNS names of the load balancers in front of these services (a virtual gateway's NLB, say). */
async function loadBalancerDnsNames(ctx: Context, services: { loadBalancers?: { targetGroupArn?: string }[] }[]): Promise<string[]> {
  const groups = [
    ...new Set(services.flatMap((s) => (s.loadBalancers ?? []).flatMap((l) => (l.targetGroupArn ? [l.targetGroupArn] : [])))),
  ];
  if (groups.length === 0) return [];
  const elb = await ctx.aws.elbv2();
  const lbs = [...new Set((await elb.describeTargetGroups(groups)).flatMap((g) => g.loadBalancerArns))];
  return lbs.length ? (await elb.describeLoadBalancers(lbs)).flatMap((b) => (b.dnsName ? [b.dnsName] : [])) : [];
}

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
    return {
      arn,
      envoy: hasEnvoy(d),
      gateway: meshGatewayOf(d) !== undefined,
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
  const gatewayDnsNames = await loadBalancerDnsNames(
    ctx,
    services.filter((s) => gatewayServices.includes(s.serviceName!)),
  );
  const route53 = await ctx.aws.route53();
  const records: NonNullable<CleanupInput['records']> = [];
  for (const zone of await route53.listPrivateHostedZones()) {
    for (const r of await route53.listResourceRecordSets(zone.id)) records.push({ zone: zone.name, ...r });
  }
  const stacks = await readStacks(ctx);
  return planCleanup({ revisions, inUse, roles, cloudMapServices, registered, gatewayServices, gatewayDnsNames, records, stacks, keep });
}

/**
 * Carries out the plan: deregisters the revisions, detaches and deletes the App Mesh permissions. Each
 * family and each role has a line on one board (onBoard), which says each change as it is made.
 */
export async function runCleanup(ctx: Context, plan: CleanupPlan): Promise<void> {
  const familyOf = (arn: string) => parseTaskDefinitionRef(arn)?.family ?? nameOfArn(arn);
  const changes: { key: string; what: string; done: string; make: () => Promise<void> }[] = [
    ...plan.deregister.map((arn) => ({
      key: familyOf(arn),
      what: `deregister ${nameOfArn(arn)}`,
      done: `deregistered ${nameOfArn(arn)}`,
      make: async () => (await ctx.aws.ecs()).deregisterTaskDefinition(arn),
    })),
    ...plan.detach.map((d) => ({
      key: `role ${d.role}`,
      what: `detach ${nameOfArn(d.policyArn)}`,
      done: `detached ${nameOfArn(d.policyArn)}`,
      make: async () => (await ctx.aws.iam()).detachRolePolicy(d.role, d.policyArn),
    })),
    ...plan.deleteInline.map((d) => ({
      key: `role ${d.role}`,
      what: `delete inline policy ${d.policy}`,
      done: `deleted inline policy ${d.policy}`,
      make: async () => (await ctx.aws.iam()).deleteRolePolicy(d.role, d.policy),
    })),
  ];
  const keys = [...new Set(changes.map((c) => c.key))];
  await onBoard(ctx, keys, async (lineOf, board) => {
    const started = new Set<string>();
    for (const c of changes) {
      const line = lineOf(c.key);
      started.add(c.key);
      try {
        ctx.checkpoint();
        await c.make();
      } catch (err) {
        line.ui.step(c.what, 'fail', (err as Error).message.split('\n')[0]);
        for (const k of keys.filter((k) => !started.has(k))) board.set(k, '– not started (cleanup stopped)');
        throw err;
      }
      line.ui.step(c.done, 'ok');
    }
  });
}
