import type { Command } from 'commander';
import type { AppMeshApi } from '../aws/app-mesh.js';
import { diffJson, formatChanges, type Change } from '../core/json-diff.js';
import { hasEnvoy, toRegisterInput, type DescribedTaskDefinition } from '../core/render-envoy.js';
import { maskSecrets } from '../core/secrets.js';
import { meshNodeOf, planServiceConnect, type BackendInfo, type MigrationPlan } from '../core/service-connect.js';
import { CheckFailedError } from '../errors.js';
import type { Report } from '../ui/output.js';
import { registerOnce } from './add-envoy.js';
import { createContext, type Context, type Deps } from './context.js';
import { DEFAULT_SERVICE, resolveServiceTarget, runUpdateService, type ServiceTarget, type UpdateServiceResult } from './update-service.js';
import { addWaitFlags, runWaitRunning, toWaitOptions, type WaitResult, type WaitRunningFlags } from './wait-running.js';

interface MigrateFlags extends WaitRunningFlags {
  namespace?: string;
  appContainer?: string;
  dryRun?: boolean;
  wait?: boolean;
}

export interface MigrateResult extends ServiceTarget {
  action: 'planned' | 'migrated' | 'dry-run' | 'unchanged';
  /** The App Mesh revision the service ran: `meshctl rollback --to` it returns to App Mesh. */
  previousTaskDefinitionArn: string;
  taskDefinitionArn?: string;
  virtualNode?: string;
  namespace?: string;
  serviceConnectConfiguration?: MigrationPlan['serviceConnectConfiguration'];
  backends?: MigrationPlan['backends'];
  unsupported?: MigrationPlan['unsupported'];
  changes?: Change[];
  notes: string[];
  update?: UpdateServiceResult;
  wait?: WaitResult;
}

/**
 * What the mesh says about the node's backends (routers, routes) and the gateway routes that reach the
 * node's virtual service. Best effort: where the API cannot answer (moto has no virtual services or
 * gateways), a note says what was not checked.
 */
async function readMeshContext(mesh: AppMeshApi, meshName: string, backends: string[], ownService: string, notes: string[]) {
  const infos: BackendInfo[] = [];
  const gatewayRoutes: { gateway: string; name: string; prefix?: string }[] = [];
  try {
    for (const name of backends) {
      const provider = await mesh.describeVirtualService(meshName, name);
      const routes = provider.router ? await Promise.all((await mesh.listRoutes(meshName, provider.router)).map((r) => mesh.describeRoute(meshName, provider.router!, r))) : undefined;
      infos.push({ name, routes });
    }
  } catch (err) {
    notes.push(`could not read the backends' virtual services (${(err as Error).name}): weighted routes, retries and timeouts were not checked`);
    infos.splice(0, infos.length, ...backends.map((name) => ({ name })));
  }
  try {
    for (const gateway of await mesh.listVirtualGateways(meshName)) {
      for (const route of await mesh.listGatewayRoutes(meshName, gateway)) {
        const g = await mesh.describeGatewayRoute(meshName, gateway, route);
        if (g.virtualService === ownService) gatewayRoutes.push({ gateway, name: route, prefix: g.prefix });
      }
    }
  } catch (err) {
    notes.push(`could not read the virtual gateways (${(err as Error).name}): gateway routes were not checked`);
  }
  return { backends: infos, gatewayRoutes };
}

/** Reads the service, its task definition and virtual node, and plans the Service Connect equivalent. */
export async function planMigration(ctx: Context, target: ServiceTarget, flags: MigrateFlags): Promise<{ result: MigrateResult; plan?: MigrationPlan; described: DescribedTaskDefinition }> {
  const ecs = await ctx.aws.ecs();
  const service = await ecs.describeServices(target.cluster, target.service);
  const described = await ecs.describeTaskDefinition(service.taskDefinition!);
  const current = described.taskDefinition.taskDefinitionArn ?? service.taskDefinition!;
  const notes: string[] = [];
  const envoy = hasEnvoy(described);
  const node = meshNodeOf(described);
  if (!envoy || !node) {
    notes.push(envoy ? 'the envoy container names no virtual node' : `${current} has no envoy container: nothing to migrate`);
    return { result: { ...target, action: 'unchanged', previousTaskDefinitionArn: current, taskDefinitionArn: current, notes }, described };
  }
  const mesh = await ctx.aws.appMesh();
  const vn = await mesh.describeVirtualNode(node.mesh, node.node);
  if (!vn?.spec) throw new CheckFailedError(`virtual node "${node.node}" of mesh "${node.mesh}" does not exist; the plan needs its listeners and service discovery`);
  const backendNames = (vn.spec.backends ?? []).map((b) => b.virtualService?.virtualServiceName).filter((n): n is string => !!n);
  const cm = vn.spec.serviceDiscovery?.awsCloudMap;
  const ownService = cm?.serviceName && cm.namespaceName ? `${cm.serviceName}.${cm.namespaceName}` : (vn.spec.serviceDiscovery?.dns?.hostname ?? '');
  const context = await readMeshContext(mesh, node.mesh, backendNames, ownService, notes);
  const plan = planServiceConnect({ described, virtualNode: { mesh: node.mesh, name: node.node, spec: vn.spec }, ...context, namespace: flags.namespace, appContainer: flags.appContainer });
  if ((service.serviceRegistries ?? []).length) {
    notes.push('serviceRegistries are left as they are, so callers outside Service Connect keep resolving the service; remove them once every caller is on Service Connect');
  }
  const show = <T>(v: T): T => (ctx.showSecrets ? v : maskSecrets(v));
  return {
    plan,
    described,
    result: {
      ...target,
      action: 'planned',
      previousTaskDefinitionArn: current,
      virtualNode: `mesh/${node.mesh}/virtualNode/${node.node}`,
      namespace: plan.namespace,
      serviceConnectConfiguration: plan.serviceConnectConfiguration,
      backends: plan.backends,
      unsupported: plan.unsupported,
      changes: diffJson(show(toRegisterInput(described)), show(plan.taskDefinition)),
      notes,
    },
  };
}

export function migrateReport(r: MigrateResult): Report {
  const lines: string[] = [];
  if (r.action === 'unchanged') lines.push(`unchanged: ${r.service} runs ${r.previousTaskDefinitionArn} without envoy; nothing to migrate`);
  else {
    const head = { planned: 'plan', 'dry-run': 'dry run', migrated: 'migrated' }[r.action];
    lines.push(`${head}: ${r.service} from App Mesh (${r.virtualNode}) to Service Connect in namespace ${r.namespace}`);
    for (const s of r.serviceConnectConfiguration?.services ?? []) {
      lines.push(`  service ${s.discoveryName}: port ${s.portName} as ${s.clientAliases?.map((a) => `${a.dnsName}:${a.port}`).join(', ')}`);
    }
    for (const b of r.backends ?? []) lines.push(`  backend ${b.reachAs}`);
    lines.push('task definition changes:', ...formatChanges(r.changes ?? []).map((l) => `  ${l}`));
    for (const u of r.unsupported ?? []) lines.push(`no equivalent: ${u.feature}: ${u.detail}; ${u.suggestion}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.action === 'migrated') {
    lines.push(`now runs ${r.taskDefinitionArn}${r.wait ? ` (${r.wait.running}/${r.wait.wanted} RUNNING)` : ''}`);
    lines.push(`back to App Mesh: meshctl rollback --service ${r.service} --to ${r.previousTaskDefinitionArn}`);
  }
  return { data: { ...r }, lines };
}

export function registerMigrate(program: Command, deps: Deps): void {
  const migrate = program.command('migrate').description('move a service from App Mesh to ECS Service Connect, planned and reversible');
  const common = (cmd: Command) =>
    cmd
      .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
      .option('--namespace <name>', "Cloud Map namespace for Service Connect (default: the one the virtual node used)")
      .option('--app-container <name>', 'application container (default: the first that is not envoy)');
  common(migrate.command('plan'))
    .description('print the Service Connect equivalent of the service: namespace, named ports, serviceConnectConfiguration, the new task definition as a diff')
    .addHelpText('after', '\nExamples:\n  meshctl migrate plan\n  meshctl migrate plan --service products --json')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateFlags>();
      const ctx = createContext(cmd, deps);
      const target = await resolveServiceTarget(ctx, flags);
      deps.ui.result(migrateReport((await planMigration(ctx, target, flags)).result));
    });
  addWaitFlags(common(migrate.command('apply')))
    .description('register the envoy-free revision, update the service with Service Connect, and wait')
    .option('--dry-run', 'plan only; change nothing')
    .option('--no-wait', 'return once the service is updated')
    .addHelpText(
      'after',
      `
Examples:
  meshctl migrate apply --dry-run
  meshctl migrate apply --service products --json

The output keeps the App Mesh revision's ARN: meshctl rollback --to <it> returns to App Mesh (and
turns Service Connect off). Running it again after a migration changes nothing.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateFlags>();
      const waitOptions = toWaitOptions({ ...flags, service: undefined });
      const ctx = createContext(cmd, deps);
      const target = await resolveServiceTarget(ctx, flags);
      const { result, plan } = await planMigration(ctx, target, flags);
      if (!plan || result.action === 'unchanged') return deps.ui.result(migrateReport(result));
      if (flags.dryRun) return deps.ui.result(migrateReport({ ...result, action: 'dry-run' }));
      ctx.checkpoint();
      const arn = await registerOnce(ctx, plan.taskDefinition, (latest) => !hasEnvoy(latest));
      ctx.checkpoint();
      const update = await runUpdateService(ctx, target, arn, plan.serviceConnectConfiguration);
      const migrated: MigrateResult = { ...result, action: 'migrated', taskDefinitionArn: update.taskDefinitionArn, update };
      if (flags.wait !== false) {
        try {
          migrated.wait = await runWaitRunning(ctx, target, { ...waitOptions, taskDefinitionArn: update.taskDefinitionArn, desiredCount: update.desiredCount });
        } catch (err) {
          if (err instanceof Error && 'exitCode' in err) {
            (err as { report?: Report }).report = migrateReport(migrated);
            err.message += `\nthe service already runs ${update.taskDefinitionArn}; back to App Mesh: meshctl rollback --service ${target.service} --to ${result.previousTaskDefinitionArn}`;
          }
          throw err;
        }
      }
      deps.ui.result(migrateReport(migrated));
    });
}
