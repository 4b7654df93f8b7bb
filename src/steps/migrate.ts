import type { AppMeshApi, RouteInfo } from '../aws/app-mesh.js';
import { diffJson, type Change } from '../core/json-diff.js';
import { hasEnvoy, toRegisterInput, virtualNodeName, type DescribedTaskDefinition } from '../core/render-envoy.js';
import { maskSecrets } from '../core/secrets.js';
import { meshNodeOf, planServiceConnect, type BackendInfo, type MigrationPlan } from '../core/service-connect.js';
import { CheckFailedError } from '../errors.js';
import type { Context } from './context.js';
import { registerOnce } from './register-once.js';
import { runUpdateService, type ServiceTarget, type UpdateServiceResult } from './service.js';
import { runWaitRunning, type WaitOptions, type WaitResult, type WaitSeen } from './wait-running.js';

export interface MigrateOptions {
  namespace?: string;
  appContainer?: string;
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
      const router = provider?.router;
      const routes = router ? await Promise.all((await mesh.listRoutes(meshName, router)).map((r) => mesh.describeRoute(meshName, router, r))) : undefined;
      infos.push({ name, routes: routes?.filter((r): r is RouteInfo => r !== undefined) });
    }
  } catch (err) {
    notes.push(`could not read the backends' virtual services (${(err as Error).name}): weighted routes, retries and timeouts were not checked`);
    infos.splice(0, infos.length, ...backends.map((name) => ({ name })));
  }
  try {
    for (const gateway of await mesh.listVirtualGateways(meshName)) {
      for (const route of await mesh.listGatewayRoutes(meshName, gateway)) {
        const g = await mesh.describeGatewayRoute(meshName, gateway, route);
        if (g?.virtualService === ownService) gatewayRoutes.push({ gateway, name: route, prefix: g.prefix });
      }
    }
  } catch (err) {
    notes.push(`could not read the virtual gateways (${(err as Error).name}): gateway routes were not checked`);
  }
  return { backends: infos, gatewayRoutes };
}

/** Reads the service, its task definition and virtual node, and plans the Service Connect equivalent. */
export async function planMigration(ctx: Context, target: ServiceTarget, flags: MigrateOptions): Promise<{ result: MigrateResult; plan?: MigrationPlan; described: DescribedTaskDefinition }> {
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
      virtualNode: virtualNodeName(node.mesh, node.node),
      namespace: plan.namespace,
      serviceConnectConfiguration: plan.serviceConnectConfiguration,
      backends: plan.backends,
      unsupported: plan.unsupported,
      changes: diffJson(show(toRegisterInput(described)), show(plan.taskDefinition)),
      notes,
    },
  };
}

/** Registers the envoy-free revision (once), updates the service with Service Connect, and waits unless told not to. */
export async function applyMigration(
  ctx: Context,
  target: ServiceTarget,
  planned: { result: MigrateResult; plan: MigrationPlan },
  wait: WaitOptions | undefined,
  seen: { migrated?: MigrateResult; wait?: WaitSeen } = {},
): Promise<MigrateResult> {
  ctx.checkpoint();
  const arn = await registerOnce(ctx, planned.plan.taskDefinition, (latest) => !hasEnvoy(latest));
  ctx.checkpoint();
  const update = await runUpdateService(ctx, target, arn, planned.plan.serviceConnectConfiguration);
  const migrated: MigrateResult = { ...planned.result, action: 'migrated', taskDefinitionArn: update.taskDefinitionArn, update };
  seen.migrated = migrated;
  if (wait) migrated.wait = await runWaitRunning(ctx, target, { ...wait, taskDefinitionArn: update.taskDefinitionArn, desiredCount: update.desiredCount }, (seen.wait = {}));
  return migrated;
}
