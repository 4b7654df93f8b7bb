import type { Command } from 'commander';
import { nameOfArn } from '../core/arn.js';
import { ENVOY_ACCESS_POLICY, policyAllows, runChecks, type CheckResult, type DoctorFacts } from '../core/doctor.js';
import { meshNodeOf } from '../core/service-connect.js';
import { CheckFailedError } from '../errors.js';
import type { Report } from '../ui/output.js';
import { createContext, type Context, type Deps } from './context.js';
import { DEFAULT_SERVICE, resolveServiceTarget, type ServiceTarget } from './update-service.js';

const ACTION = 'appmesh:StreamAggregatedResources';

/** Which policy of the role allows envoy's action: AWSAppMeshEnvoyAccess, another managed one, or an inline one. */
async function envoyAccessOf(ctx: Context, roleName: string): Promise<DoctorFacts['taskRole']> {
  const iam = await ctx.aws.iam();
  if (!(await iam.getRole(roleName))) return { name: roleName, exists: false };
  const attached = await iam.listAttachedRolePolicies(roleName);
  if (attached.includes(ENVOY_ACCESS_POLICY)) return { name: roleName, exists: true, allowedBy: 'AWSAppMeshEnvoyAccess' };
  for (const arn of attached) {
    if (policyAllows(await iam.getPolicyDocument(arn), ACTION)) return { name: roleName, exists: true, allowedBy: `managed policy ${nameOfArn(arn)}` };
  }
  for (const name of await iam.listRolePolicies(roleName)) {
    if (policyAllows(await iam.getRolePolicy(roleName, name), ACTION)) return { name: roleName, exists: true, allowedBy: `inline policy ${name}` };
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

export function doctorReport(target: ServiceTarget, checks: CheckResult[]): Report {
  const mark = { pass: '✔', fail: '✖', warn: '!', skip: '–' };
  const failed = checks.filter((c) => c.status === 'fail').length;
  return {
    data: { ok: failed === 0, ...target, checks },
    lines: [
      ...checks.flatMap((c) => [`${mark[c.status]} ${c.title}: ${c.detail}`, ...(c.fix ? [`    fix: ${c.fix}`] : [])]),
      failed ? `${failed} of ${checks.length} checks failed` : `all ${checks.filter((c) => c.status === 'pass').length} checks passed`,
    ],
  };
}

export function registerDoctor(program: Command, deps: Deps): void {
  program
    .command('doctor')
    .description("check a service's App Mesh set-up before or after a rollout; a fix for each failure")
    .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
    .addHelpText(
      'after',
      `
Examples:
  meshctl doctor
  meshctl doctor --service products --json

Checks: the task role allows appmesh:StreamAggregatedResources (AWSAppMeshEnvoyAccess or equivalent);
the virtual node envoy names exists; its listener port is among AppPorts and the app's ports; its
Cloud Map service is the ECS service's registry; awsvpc; envoy's user is IgnoredUID; the app waits for
envoy HEALTHY; EgressIgnoredIPs holds the metadata addresses; the envoy image is in the task's region.
Exit 1 when any check fails.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ service?: string; cluster?: string }>();
      const ctx = createContext(cmd, deps);
      const target = await resolveServiceTarget(ctx, flags);
      const checks = runChecks(await gatherFacts(ctx, target));
      const report = doctorReport(target, checks);
      const failed = checks.filter((c) => c.status === 'fail');
      if (failed.length === 0) return deps.ui.result(report);
      const err = new CheckFailedError(`doctor: ${failed.map((c) => c.id).join(', ')} failed; each has a fix above`);
      err.report = report;
      throw err;
    });
}
