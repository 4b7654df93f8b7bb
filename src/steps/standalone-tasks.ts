import type { Service } from '@aws-sdk/client-ecs';
import { isServiceGone } from '../aws/aws-error.js';
import { mapLimit } from '../core/concurrency.js';
import { proxyContainers } from '../core/envoy/proxy.js';
import { retargetRuleTarget, updateScheduleInput } from '../core/migrate/retarget.js';
import { onEc2, type ServiceRuntime } from '../core/migrate/prerequisites.js';
import { familyOfTarget, standaloneTaskName, type ScheduledTaskFacts, type StandaloneTask } from '../core/migrate/standalone.js';
import type { ClusterPlan, ClusterPlanInput } from '../core/migrate/types.js';
import type { DescribedTaskDefinition } from '../core/task-definition.js';
import { CheckFailedError, CommandFailedError, MeshctlError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import type { Report } from '../ui/output.js';

/** At most this many List/Get calls at once against EventBridge and Scheduler. */
const READS_AT_ONCE = 4;

const ECS_CLUSTER_ARN = /^arn:[^:]+:ecs:[^:]*:\d*:cluster\//;

/**
 * What would break after the move, read beside the cluster: how each envoy service runs (for Service
 * Connect's prerequisites) and the EventBridge rules and schedules that start an envoy family's
 * revision. EventBridge or Scheduler out of reach is a note, not a failure.
 */
export async function gatherBreakers(
  ctx: Context,
  cluster: string,
  services: readonly Service[],
  described: ReadonlyMap<string, DescribedTaskDefinition>,
  notes: string[],
): Promise<Pick<ClusterPlanInput, 'scheduled' | 'runtime'>> {
  const envoy = services.filter((s) => {
    const td = described.get(s.taskDefinition ?? '');
    return !!td && proxyContainers(td.taskDefinition).size > 0;
  });
  if (!envoy.length) return {};
  const families = new Set(envoy.map((s) => described.get(s.taskDefinition!)!.taskDefinition.family).filter((f): f is string => !!f));
  const runtime = await readRuntime(ctx, cluster, envoy);
  const found = [...(await scheduledRules(ctx, families, notes)), ...(await scheduledSchedules(ctx, families, notes))];
  const ecs = await ctx.aws.ecs();
  const cache = new Map(described);
  await mapLimit([...new Set(found.map((t) => t.taskDefinitionArn))], READS_AT_ONCE, async (arn) => {
    if (!cache.has(arn)) {
      const td = await ecs.describeTaskDefinitionIfExists(arn);
      if (td) cache.set(arn, td);
    }
  });
  const scheduled = found.map((t) => ({ ...t, ...(cache.has(t.taskDefinitionArn) ? { described: cache.get(t.taskDefinitionArn) } : {}) }));
  return { scheduled, runtime };
}

/** Each envoy service's launch type, platform and deployment controller; its cluster's agents when it runs on EC2. */
async function readRuntime(ctx: Context, cluster: string, services: readonly Service[]): Promise<ServiceRuntime[]> {
  const runtime: ServiceRuntime[] = services.map((s) => ({
    service: s.serviceName!,
    ...(s.launchType ? { launchType: s.launchType } : {}),
    capacityProviders: (s.capacityProviderStrategy ?? []).map((c) => c.capacityProvider).filter((c): c is string => !!c),
    ...(s.platformVersion ? { platformVersion: s.platformVersion } : {}),
    ...(s.platformFamily ? { platformFamily: s.platformFamily } : {}),
    ...(s.deploymentController?.type ? { deploymentController: s.deploymentController.type } : {}),
  }));
  if (!runtime.some(onEc2)) return runtime;
  const ecs = await ctx.aws.ecs();
  const instances = await ecs.describeContainerInstances(cluster, await ecs.listContainerInstances(cluster));
  const agents = instances
    .filter((i) => i.status === 'ACTIVE')
    .map((i) => ({
      instance: i.ec2InstanceId ?? i.containerInstanceArn ?? '?',
      ...(i.versionInfo?.agentVersion ? { version: i.versionInfo.agentVersion } : {}),
    }));
  return runtime.map((r) => (onEc2(r) ? { ...r, agents } : r));
}

/** Out of reach (403, unknown operation, no answer): said once, and the rest of the plan goes on. */
async function unlessGone<T>(what: string, notes: string[], read: () => Promise<T[]>): Promise<T[]> {
  try {
    return await read();
  } catch (err) {
    if (!isServiceGone(err)) throw err;
    notes.push(`${what} did not answer (${err.message.split('\n')[0]}): its scheduled tasks were not checked`);
    return [];
  }
}

/** The ECS targets of every rule of every event bus that run a revision of one of `families`. */
async function scheduledRules(ctx: Context, families: ReadonlySet<string>, notes: string[]): Promise<ScheduledTaskFacts[]> {
  return unlessGone('EventBridge', notes, async () => {
    const eb = await ctx.aws.eventBridge();
    const rules = (
      await mapLimit(await eb.listEventBuses(), READS_AT_ONCE, async (bus) => (await eb.listRules(bus)).map((rule) => ({ bus, rule })))
    ).flat();
    const targets = await mapLimit(rules, READS_AT_ONCE, async ({ bus, rule }) => {
      ctx.checkpoint();
      return (await eb.listTargetsByRule(rule, bus)).map((t) => ({ bus, rule, t }));
    });
    return targets.flat().flatMap(({ bus, rule, t }) => {
      const arn = t.EcsParameters?.TaskDefinitionArn;
      const family = arn ? familyOfTarget(arn) : undefined;
      if (!arn || !family || !families.has(family)) return [];
      return [
        {
          kind: 'rule' as const,
          name: rule,
          group: bus,
          ...(t.Id ? { targetId: t.Id } : {}),
          cluster: t.Arn ?? '',
          taskDefinitionArn: arn,
        },
      ];
    });
  });
}

/** The schedules (every group) whose ECS target runs a revision of one of `families`. */
async function scheduledSchedules(ctx: Context, families: ReadonlySet<string>, notes: string[]): Promise<ScheduledTaskFacts[]> {
  return unlessGone('EventBridge Scheduler', notes, async () => {
    const scheduler = await ctx.aws.scheduler();
    // ListSchedules gives only the target's ARN: GetSchedule only for those that start ECS tasks.
    const ecs = (await scheduler.listSchedules()).filter((s) => ECS_CLUSTER_ARN.test(s.targetArn ?? ''));
    const got = await mapLimit(ecs, READS_AT_ONCE, async (s) => {
      ctx.checkpoint();
      return { s, schedule: await scheduler.getSchedule(s.name, s.group) };
    });
    return got.flatMap(({ s, schedule }) => {
      const arn = schedule.Target?.EcsParameters?.TaskDefinitionArn;
      const family = arn ? familyOfTarget(arn) : undefined;
      if (!arn || !family || !families.has(family)) return [];
      return [{ kind: 'schedule' as const, name: s.name, group: s.group, cluster: schedule.Target?.Arn ?? '', taskDefinitionArn: arn }];
    });
  });
}

/** One scheduled task's outcome in an apply. */
export interface StandaloneMove {
  kind: StandaloneTask['kind'];
  name: string;
  group: string;
  targetId?: string;
  service: string;
  from: string;
  to?: string;
  status: 'moved' | 'unchanged' | 'failed' | 'not-moved';
  detail?: string;
}

/** The scheduled tasks an apply of `plan` moves: those of its migrating and migrated services. */
export function standaloneTasksOf(plan: ClusterPlan): { service: string; task: StandaloneTask }[] {
  return plan.services.flatMap((p) =>
    p.status === 'not-in-mesh' ? [] : (p.standaloneTasks ?? []).map((task) => ({ service: p.service, task })),
  );
}

/** What an apply will do to each, one line each: shown before it asks. */
export function standaloneMoveLines(plan: ClusterPlan): string[] {
  return standaloneTasksOf(plan).map(
    ({ service, task }) =>
      `${standaloneTaskName(task)}: ${task.taskDefinitionArn} → ${task.to ?? `the envoy-free revision of ${service} apply registers`}`,
  );
}

/**
 * After the waves: each scheduled task of a service that now runs its envoy-free revision moves to that
 * revision (PutTargets with the same target; UpdateSchedule with the whole schedule). A target or schedule
 * changed since the plan (it no longer runs the planned revision) is left alone; so is every other one.
 */
export async function moveStandaloneTasks(
  ctx: Context,
  plan: ClusterPlan,
  migrated: ReadonlyMap<string, string | undefined>,
): Promise<StandaloneMove[]> {
  const out: StandaloneMove[] = [];
  for (const { service, task } of standaloneTasksOf(plan)) {
    const to = task.to ?? migrated.get(service);
    const id = task.targetId ? { targetId: task.targetId } : {};
    const base = { kind: task.kind, name: task.name, group: task.group, ...id, service, from: task.taskDefinitionArn };
    if (!to || ctx.signal.aborted) {
      out.push({ ...base, status: 'not-moved', detail: `${service} did not get to its envoy-free revision` });
      continue;
    }
    try {
      const moved = await moveOne(ctx, task, to);
      out.push({
        ...base,
        to,
        status: moved ? 'moved' : 'unchanged',
        ...(moved ? {} : { detail: 'it no longer runs the planned revision; left as it is' }),
      });
      ctx.ui.step(standaloneTaskName(task), moved ? 'ok' : 'skip', moved ? `now starts ${to}` : 'changed since the plan; left as it is');
    } catch (err) {
      if (!(err instanceof MeshctlError)) throw err;
      ctx.ui.step(standaloneTaskName(task), 'fail', err.message.split('\n')[0]!);
      out.push({ ...base, to, status: 'failed', detail: err.message });
    }
  }
  return out;
}

/** Re-reads the target or schedule and changes only its task definition; false when it no longer runs `task`'s revision. */
async function moveOne(ctx: Context, task: StandaloneTask, to: string): Promise<boolean> {
  ctx.checkpoint();
  if (task.kind === 'rule') {
    const eb = await ctx.aws.eventBridge();
    const target = (await eb.listTargetsByRule(task.name, task.group)).find(
      (t) => t.Id === task.targetId && t.EcsParameters?.TaskDefinitionArn === task.taskDefinitionArn,
    );
    if (!target) return false;
    await eb.putTarget(task.name, task.group, retargetRuleTarget(target, to));
    return true;
  }
  const scheduler = await ctx.aws.scheduler();
  const schedule = await scheduler.getSchedule(task.name, task.group);
  if (schedule.Target?.EcsParameters?.TaskDefinitionArn !== task.taskDefinitionArn) return false;
  await scheduler.updateSchedule(updateScheduleInput(schedule, to));
  return true;
}

/**
 * The scheduled tasks an in-place apply will move, shown first: in a terminal it asks (`confirm`);
 * without one it needs --yes, refused before anything changes, as migrate abort and finish are.
 */
export async function confirmStandaloneMoves(
  ui: Context['ui'],
  confirm: ((question: string) => Promise<boolean>) | undefined,
  yes: boolean,
  plan: ClusterPlan,
): Promise<void> {
  const shown = standaloneMoveLines(plan);
  if (!shown.length) return;
  const list = shown.map((l) => `  - ${l}`).join('\n');
  if (!yes) {
    if (!confirm)
      throw new UsageError(
        `migrate apply moves these EventBridge rules and schedules to the envoy-free revision; pass --yes to do it without a terminal:\n${list}`,
      );
    if (!(await confirm(`${list}\nType yes to move these scheduled tasks with their services: `)))
      throw new UsageError('not confirmed; nothing was changed');
  }
  ui.info(`scheduled tasks to move after their service:\n${list}`);
}

/** One line per scheduled task after the apply. */
export function standaloneResultLines(moves: readonly StandaloneMove[]): string[] {
  return moves.map((m) => {
    const name = standaloneTaskName(m);
    if (m.status === 'moved') return `${name}: now starts ${m.to}`;
    return `${name}: ${m.status}${m.detail ? `: ${m.detail.split('\n')[0]}` : ''}`;
  });
}

/**
 * The apply's report with the moves in it (`standaloneMoves`); when a move failed, the failure to throw
 * (exit 1, with `next`, the command that resumes: the plan then finds the task again).
 */
export function withStandaloneMoves(
  report: Report,
  moves: readonly StandaloneMove[],
  results: unknown[],
  next: string,
): { report: Report; failure?: CommandFailedError } {
  const withMoves: Report = { data: { ...report.data, standaloneMoves: moves }, lines: report.lines };
  const failed = moves.filter((m) => m.status === 'failed');
  if (!failed.length) return { report: withMoves };
  const done: Report = {
    data: { ...withMoves.data, ok: false, results, resumeCommand: next },
    lines: [...withMoves.lines, ...standaloneResultLines(moves)],
  };
  const names = failed.map((m) => standaloneTaskName(m)).join(', ');
  return {
    report: withMoves,
    failure: new CommandFailedError(new CheckFailedError(`${failed.length} scheduled tasks were not moved: ${names}`), done, next),
  };
}
