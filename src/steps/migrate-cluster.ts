import { createHash } from 'node:crypto';
import { readCloudMap, registryOf } from './cloud-map.js';
import type { Service } from '@aws-sdk/client-ecs';
import { nameOfArn } from '../core/arn.js';
import {
  type ClusterPlan,
  type ClusterPlanInput,
  type NamespaceFacts,
  type PrivateRecord,
  type ServiceFacts,
  type ServicePlan,
  serversOf,
} from '../core/migrate/types.js';
import { startAfter } from '../core/migrate/waves.js';
import { mapLimit, runWhenReady, type Readiness } from '../core/concurrency.js';
import type { MeshDescription } from '../core/mesh/description.js';
import { fromMeshFile } from '../core/mesh/sources/mesh-file.js';
import { fromTerraformState } from '../core/mesh/sources/terraform.js';
import { fromCloudFormation } from '../core/mesh/sources/cloudformation.js';
import { virtualNodeName } from '../core/envoy/render.js';
import { type DescribedTaskDefinition } from '../core/task-definition.js';
import { meshNodeOf } from '../core/envoy/proxy.js';
import { AwsCallError, MeshctlError } from '../errors.js';
import { pollUntil } from '../core/poll.js';
import type { Context } from '../runtime/context.js';
import { readJsonFile } from '../runtime/files.js';
import { readTemplates, type StackInputs } from './cfn-stack.js';
import { readMeshFile, waitForNamespace } from './mesh.js';
import { readAppMesh } from './read-mesh.js';
import { onBoard } from './board.js';
import { registerOrReuse } from './register-once.js';
import { runUpdateService } from './service.js';
import { clusterTaskSource } from './task-source.js';
import { runWaitRunning, type WaitOptions } from './wait-running.js';
import { gatherBreakers } from './standalone-tasks.js';
import { gatherCarryFacts } from './carry-facts.js';

/** Where the mesh description comes from besides App Mesh (which is read only while it answers). */
export interface MeshSources {
  meshFile?: string;
  cloudFormation?: string;
  terraform?: string;
  /** --from-stack, --parameter, --parameters-file, --stack-name, --export. */
  cfn?: StackInputs;
}

export interface GatherOptions {
  cluster: string;
  sources: MeshSources;
  overrides: ClusterPlanInput['overrides'];
  /** Describe calls at once. */
  concurrency: number;
}

/** What was read, and from where: the plan's input and the lines that say what it was built from. */
export interface Gathered {
  input: ClusterPlanInput;
  services: Service[];
  notes: string[];
  /** The sources of mesh facts, e.g. ['App Mesh'] or ['CloudFormation template t.yaml']. */
  meshSources: string[];
}

type Obj = Record<string, unknown>;

export { parseTemplateText } from './cfn-stack.js';

/** The mesh descriptions the user gave, each naming its file. */
export async function readMeshSources(sources: MeshSources, ctx?: () => Context): Promise<MeshDescription[]> {
  const out: MeshDescription[] = [];
  if (sources.meshFile) out.push(fromMeshFile(await readMeshFile(sources.meshFile), sources.meshFile));
  if (sources.terraform) out.push(...fromTerraformState(await readJsonFile(sources.terraform, '--from-terraform'), sources.terraform));
  // Every file before the first request: a bad one is exit 2 with nothing sent.
  for (const t of await readTemplates(sources.cloudFormation, sources.cfn, ctx)) {
    const meshes = fromCloudFormation(t.template, t.source, t.deployment);
    for (const m of meshes) for (const n of t.notes) m.unresolved.push(n);
    out.push(...meshes);
  }
  return out;
}

const NAMESPACE_TYPES = ['HTTP', 'DNS_PRIVATE', 'DNS_PUBLIC'] as const;
const namespaceType = (t: string | undefined) => NAMESPACE_TYPES.find((x) => x === t);

/** Reads the cluster as it still exists: services, task definitions, Cloud Map, load balancers, Route 53, and the mesh. */
export async function gatherCluster(ctx: Context, opts: GatherOptions): Promise<Gathered> {
  // The files first: a bad one is exit 2 before any AWS call.
  const given = await readMeshSources(opts.sources, () => ctx);
  const ecs = await ctx.aws.ecs();
  const names = (await ecs.listServices(opts.cluster)).map(nameOfArn);
  const services = await ecs.describeServicesBatch(opts.cluster, names);
  const described = new Map<string, DescribedTaskDefinition>();
  await mapLimit([...new Set(services.map((s) => s.taskDefinition!).filter(Boolean))], opts.concurrency, async (arn) => {
    ctx.checkpoint();
    described.set(arn, await ecs.describeTaskDefinition(arn));
  });

  const cloudMap = await readCloudMap(ctx);
  const namespaces: NamespaceFacts[] = cloudMap.map((ns) => ({
    name: ns.name,
    id: ns.id,
    type: namespaceType(ns.type) ?? 'DNS_PRIVATE',
    services: ns.services.map((s) => s.name),
  }));

  const targetGroups = [
    ...new Set(services.flatMap((s) => (s.loadBalancers ?? []).map((l) => l.targetGroupArn).filter((a): a is string => !!a))),
  ];
  const lbDns = new Map<string, string>();
  const tgLbs = new Map<string, string[]>();
  if (targetGroups.length) {
    const elb = await ctx.aws.elbv2();
    for (const tg of await elb.describeTargetGroups(targetGroups)) tgLbs.set(tg.arn, tg.loadBalancerArns);
    const lbs = [...new Set([...tgLbs.values()].flat())];
    for (const lb of lbs.length ? await elb.describeLoadBalancers(lbs) : []) if (lb.dnsName) lbDns.set(lb.arn, lb.dnsName);
  }

  const route53 = await ctx.aws.route53();
  const records: PrivateRecord[] = [];
  for (const zone of await route53.listPrivateHostedZones()) {
    for (const r of await route53.listResourceRecordSets(zone.id)) records.push({ zone: zone.name, ...r });
  }

  const facts: ServiceFacts[] = [];
  for (const s of services) {
    const td = described.get(s.taskDefinition!);
    if (!td) continue;
    const registries: ServiceFacts['registries'] = [];
    for (const r of s.serviceRegistries ?? []) {
      if (!r.registryArn) continue;
      const reg = await registryOf(ctx, r.registryArn, cloudMap);
      if (reg)
        registries.push({ service: reg.service, namespace: reg.namespace, namespaceType: namespaceType(reg.namespaceType), port: r.port });
    }
    const dns = (s.loadBalancers ?? [])
      .flatMap((l) => tgLbs.get(l.targetGroupArn ?? '') ?? [])
      .map((arn) => lbDns.get(arn))
      .filter((d): d is string => !!d);
    const sc = s.deployments?.find((d) => d.status === 'PRIMARY')?.serviceConnectConfiguration;
    facts.push({
      service: s.serviceName!,
      taskDefinitionArn: s.taskDefinition!,
      described: td,
      registries,
      loadBalancerDnsNames: [...new Set(dns)],
      ...(sc?.enabled ? { serviceConnect: sc as ServiceFacts['serviceConnect'] } : {}),
    });
  }

  const notes: string[] = [];
  const meshNames = [...new Set(facts.map((f) => meshNodeOf(f.described)?.mesh).filter((m): m is string => !!m))];
  const live = meshNames.length ? await readAppMesh(ctx, meshNames) : { meshes: [], notes: [] };
  const meshes = [...live.meshes, ...given];
  notes.push(...live.notes);
  const meshSources = [...new Set(meshes.map((m) => m.source))];
  if (live.unreachable) {
    const from = ['task definitions', 'ECS services', 'Cloud Map', 'load balancers', 'Route 53', ...given.map((g) => g.source)];
    notes.unshift(`${live.unreachable}; the plan was built from ${[...new Set(from)].join(', ')} instead`);
  }
  const breakers = await gatherBreakers(ctx, opts.cluster, services, described, notes);
  const carry = await gatherCarryFacts(ctx, meshes, opts.overrides.tlsRole, notes);
  const input = { services: facts, meshes, records, namespaces, overrides: opts.overrides, ...breakers, ...carry };
  return { input, services, notes, meshSources };
}

/** The plan for the services chosen (all of them when `selection` is undefined), waves kept in order. */
export function selectPlan(plan: ClusterPlan, selection: readonly string[] | undefined): ClusterPlan {
  if (!selection) return plan;
  const chosen = new Set(selection);
  const services = plan.services.filter((s) => chosen.has(s.service));
  const waves = plan.waves
    .map((w) => ({ ...w, services: w.services.filter((s) => chosen.has(s)) }))
    .filter((w) => w.services.length)
    .map((w, i) => ({ ...w, wave: i + 1 }));
  return {
    ...plan,
    services,
    waves,
    ok: plan.findings.every((f) => f.level !== 'error') && services.every((s) => s.findings.every((f) => f.level !== 'error')),
  };
}

/**
 * Clients whose servers are not migrated and not in the selection: migrating them first breaks their
 * calls (existing tasks cannot resolve new Service Connect endpoints, and an envoy-free client cannot
 * reach a server that still sits behind its envoy mesh). Returns `client → servers` for each.
 */
export function backendsLeftBehind(plan: ClusterPlan, selection: readonly string[]): Map<string, string[]> {
  const chosen = new Set(selection);
  const status = new Map(plan.services.map((s) => [s.service, s.status]));
  const out = new Map<string, string[]>();
  for (const s of plan.services) {
    if (!chosen.has(s.service) || s.status !== 'migrate') continue;
    const behind = serversOf(s.backends).filter((b) => b !== s.service && status.get(b) === 'migrate' && !chosen.has(b));
    if (behind.length) out.set(s.service, behind);
  }
  return out;
}

/** One service's outcome in an apply. */
export interface ServiceMigration {
  service: string;
  wave: number;
  status: 'migrated' | 'unchanged' | 'failed' | 'not-started';
  /** The App Mesh revision it ran: where a way back would point (while App Mesh answered). */
  appMeshTaskDefinitionArn?: string;
  /** The Service Connect revision it runs now. */
  taskDefinitionArn?: string;
  running?: number;
  wanted?: number;
  /** When its new tasks were seen running (ISO 8601), when apply waited: where a frozen-endpoint window ends or starts. */
  runningAt?: string;
  error?: string;
}

export interface ApplyOptions {
  cluster: string;
  concurrency: number;
  wait?: WaitOptions;
  /** Namespaces to create (HTTP) before the first wave. */
  createNamespaces: string[];
  /** The revision each service ran when the cluster was read: its App Mesh revision. */
  current: ReadonlyMap<string, string>;
}

/**
 * Creates the HTTP namespaces the plan needs (idempotent: an existing one is left alone). The
 * CreatorRequestId is derived from the name (and the hour), so that Cloud Map runs two applies' requests
 * once; should two namespaces of the name appear all the same (an emulator that ignores the id), the
 * later one, this run's own, is deleted.
 */
export async function createNamespaces(ctx: Context, names: readonly string[]): Promise<void> {
  const sd = await ctx.aws.serviceDiscovery();
  for (const name of names) {
    if (await sd.findNamespace(name)) continue;
    ctx.checkpoint();
    ctx.ui.step(`namespace ${name}`, 'start');
    const id = await createHttpNamespaceOnce(ctx, name);
    ctx.ui.step(`namespace ${name}`, 'ok', id ? 'created (HTTP)' : 'created (HTTP) by another run at the same time');
  }
}

/** Creates one HTTP namespace; returns its id, or undefined when another run's request made it. */
async function createHttpNamespaceOnce(ctx: Context, name: string): Promise<string | undefined> {
  const sd = await ctx.aws.serviceDiscovery();
  const hour = new Date(ctx.clock.now()).toISOString().slice(0, 13);
  const requestId = `meshctl-${createHash('sha256').update(`${name}|${hour}`).digest('hex').slice(0, 48)}`;
  let operation: string;
  try {
    operation = await sd.createHttpNamespace(name, requestId);
  } catch (err) {
    // Another run's request for the name is running (DuplicateRequest) or done (NamespaceAlreadyExists).
    if (!(err instanceof AwsCallError) || !['DuplicateRequest', 'NamespaceAlreadyExists'].includes(err.errorName)) throw err;
    await pollUntil(
      async () => await sd.findNamespace(name),
      {
        timeoutMs: 120_000,
        intervalMs: 5000,
        signal: ctx.signal,
        timeoutMessage: () => `Cloud Map namespace "${name}" was not created within 2 minutes; run the same command again`,
      },
      ctx.clock,
    );
    return undefined;
  }
  const id = await waitForNamespace(ctx, operation, name);
  const same = (await sd.listNamespaces()).filter((n) => n.name === name);
  const first = same.sort((a, b) => (a.createDate?.getTime() ?? 0) - (b.createDate?.getTime() ?? 0) || a.id.localeCompare(b.id))[0];
  if (first && first.id !== id) {
    ctx.ui.verbose(`Cloud Map namespace "${name}" was created twice at once; deleting ${id}, this run's, and keeping ${first.id}`);
    await sd.deleteNamespace(id);
    return undefined;
  }
  return id;
}

/**
 * One service: the envoy-free revision registered once, the service updated with Service Connect, then
 * waited for. `ctx` draws the service's line of the board (onBoard): each change is a state of that line.
 */
async function migrateService(
  ctx: Context,
  opts: ApplyOptions,
  p: ServicePlan,
  wave: number,
  source: ReturnType<typeof clusterTaskSource>,
): Promise<ServiceMigration> {
  const base: ServiceMigration = { service: p.service, wave, status: 'migrated' };
  try {
    ctx.checkpoint();
    base.appMeshTaskDefinitionArn = opts.current.get(p.service);
    ctx.ui.step(`wave ${wave}`, 'start', 'register');
    const { arn } = await registerOrReuse(ctx, p.taskDefinition!);
    ctx.checkpoint();
    ctx.ui.step(`wave ${wave}`, 'start', `update-service: ${nameOfArn(arn)} with Service Connect`);
    const update = await runUpdateService(ctx, { cluster: opts.cluster, service: p.service }, arn, p.serviceConnectConfiguration);
    base.taskDefinitionArn = update.taskDefinitionArn;
    if (opts.wait) {
      // The wait's progress (n/m RUNNING and its clock) shows on this line, after the step's name.
      ctx.ui.step(`wave ${wave}: wait-running`, 'start', nameOfArn(update.taskDefinitionArn));
      const w = await runWaitRunning(
        ctx,
        { cluster: opts.cluster, service: p.service },
        { ...opts.wait, taskDefinitionArn: update.taskDefinitionArn, desiredCount: update.desiredCount, taskSource: source },
      );
      base.running = w.running;
      base.wanted = w.wanted;
      base.runningAt = new Date(ctx.clock.now()).toISOString();
    }
    ctx.ui.step(`wave ${wave}`, 'ok', `runs ${nameOfArn(update.taskDefinitionArn)} on Service Connect`);
    return base;
  } catch (err) {
    if (!(err instanceof MeshctlError)) throw err;
    ctx.ui.step(`wave ${wave}`, 'fail', err.message.split('\n')[0]);
    return { ...base, status: 'failed', error: err.message };
  }
}

/**
 * Runs the waves in order, at most `concurrency` services at once. With `start: 'wave'` a wave starts when
 * the one before has run; with `servers` each service starts as soon as the services of earlier waves it
 * calls have run (startAfter). After a service that did not succeed, or an interruption, no service of a
 * later wave starts. Every service of the plan has a line on one board (onBoard); `work` gets the context
 * that draws its service's line.
 */
export async function runWaves<R extends { status: string }>(
  ctx: Context,
  plan: ClusterPlan,
  concurrency: number,
  work: (ctx: Context, p: ServicePlan, wave: number) => Promise<R>,
  notStarted: (p: ServicePlan, wave: number) => R,
  succeeded: (r: R) => boolean,
  start: 'wave' | 'servers' = 'wave',
): Promise<R[]> {
  const byName = new Map(plan.services.map((s) => [s.service, s]));
  const order = startAfter(plan, start);
  const keys = order.map((o) => o.service);
  return onBoard(ctx, keys, async (lineOf, board) => {
    const ok = new Map<string, boolean>();
    let failedWave = Infinity;
    const ready = (i: number): Readiness => {
      const { wave, after } = order[i]!;
      if (ctx.signal.aborted || wave > failedWave || after.some((s) => ok.get(s) === false)) return 'never';
      return after.every((s) => ok.get(s)) ? 'now' : 'later';
    };
    const done = await runWhenReady(order.length, concurrency, ready, async (i) => {
      const { service, wave } = order[i]!;
      const r = await work(lineOf(service), byName.get(service)!, wave);
      const passed = succeeded(r);
      ok.set(service, passed);
      if (!passed) failedWave = Math.min(failedWave, wave);
      return r;
    });
    return done.map((r, i) => {
      if (r !== undefined) return r;
      const { service, wave } = order[i]!;
      board.set(service, `– not started (${ctx.signal.aborted ? 'interrupted' : 'an earlier wave did not get there'})`);
      return notStarted(byName.get(service)!, wave);
    });
  });
}

/** In place: each service of each wave updated to its envoy-free revision with Service Connect. */
export async function applyClusterPlan(ctx: Context, plan: ClusterPlan, opts: ApplyOptions): Promise<ServiceMigration[]> {
  await createNamespaces(ctx, opts.createNamespaces);
  const source = clusterTaskSource(await ctx.aws.ecs(), opts.cluster, () => ctx.clock.now());
  return runWaves<ServiceMigration>(
    ctx,
    plan,
    opts.concurrency,
    (line, p, wave) => migrateService(line, opts, p, wave, source),
    (p, wave) => ({ service: p.service, wave, status: 'not-started' }),
    (r) => r.status === 'migrated',
    'servers',
  );
}

/** Fields of a service's plan a report shows, as plain JSON. */
export function planSummary(p: ServicePlan): Obj {
  return {
    service: p.service,
    status: p.status,
    kind: p.kind ?? null,
    virtualNode: p.virtualNode ? virtualNodeName(p.virtualNode.mesh, p.virtualNode.name) : null,
    virtualServices: p.virtualServices ?? [],
    gateway: p.gateway ?? null,
    namespace: p.namespace ?? null,
    namespaceExists: p.namespaceExists,
    listeners: p.listeners,
    backends: p.backends,
    findings: p.findings,
    serviceConnectConfiguration: p.serviceConnectConfiguration ?? null,
    sources: p.sourceOf,
    standaloneTasks: p.standaloneTasks ?? [],
    parity: p.parity ?? [],
  };
}
