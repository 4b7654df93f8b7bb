import { sandboxAws } from './aws.js';
import { CLUSTER, runServiceTasks, serviceTasks, type TaskNetwork } from './workshop-world.js';

// moto runs no ECS scheduler: UpdateService starts no task and never rolls deployments[]. These helpers
// do ECS's job, and say so in their names.

/** The reason ECS gives when a task's essential container exits: what --fail-new-tasks makes new tasks end with. */
export const FAILED_TASK_REASON = 'Essential container in task exited';

export interface StandInOptions {
  cluster?: string;
  /** How long after a service moves to another revision its new tasks start (ECS takes a while too). */
  taskDelayMs?: number;
  /** New tasks of a revision the stand-in has not seen run stop at once, as when envoy never turns HEALTHY. */
  failNewTasks?: boolean;
  /** Told after each deployment it played (the sandbox's stand-in logs it). */
  onDeploy?: (service: string, taskDefinition: string, failed: boolean) => void;
  /** Told after it stopped the tasks of a service scaled to 0 or deleted. */
  onStop?: (service: string, stopped: number, why: IdleReason) => void;
}

/** Why a service runs no task: scaled to 0, or deleted (INACTIVE or DRAINING, or no longer listed). */
export type IdleReason = 'scaled to 0' | 'deleted';

/** The reason ECS gives the tasks it stops when a service is scaled in or deleted. */
const SCALING_REASON = 'Scaling activity initiated by (deployment ecs-svc/0123456789)';

/** Stands in for the ECS scheduler when a service is scaled to 0 or deleted: stops its tasks that still run; how many. */
export async function actAsEcsSchedulerForScaleToZero(endpoint: string, serviceName: string, cluster = CLUSTER): Promise<number> {
  const ecs = await sandboxAws(endpoint).ecs();
  const running = (await serviceTasks(endpoint, serviceName, cluster)).filter((t) => t.lastStatus !== 'STOPPED');
  for (const t of running) await ecs.stopTask(cluster, t.taskArn!, SCALING_REASON);
  return running.length;
}

/**
 * Stands in for the ECS scheduler at the end of one deployment: starts the service's desiredCount tasks
 * of its current task definition and stops the tasks of older revisions, as a rolling deployment ends.
 * With `fail`, each new task stops as soon as it started (FAILED_TASK_REASON) and the old ones keep
 * running, as ECS leaves a deployment whose tasks never become healthy. (With a desired count of 1, a
 * wait that polls in the moment between the two calls sees that one task RUNNING.)
 */
export async function actAsEcsSchedulerForDeployment(
  endpoint: string,
  net: TaskNetwork,
  serviceName: string,
  options: { cluster?: string; fail?: boolean } = {},
): Promise<string> {
  const cluster = options.cluster ?? CLUSTER;
  const ecs = await sandboxAws(endpoint).ecs();
  const service = await ecs.describeServices(cluster, serviceName);
  const target = service.taskDefinition!;
  if (options.fail) {
    // One at a time: moto starts every task RUNNING, so at most one new task runs at any moment and a
    // wait never sees the desired count (moto's ListTasks also lists STOPPED tasks, so the stop is seen).
    for (let i = 0; i < (service.desiredCount ?? 3); i++) {
      const [task] = await runServiceTasks(endpoint, target, 1, net, serviceName, cluster);
      await ecs.stopTask(cluster, task!.taskArn!, FAILED_TASK_REASON);
    }
    return target;
  }
  await runServiceTasks(endpoint, target, service.desiredCount ?? 3, net, serviceName, cluster);
  for (const t of await serviceTasks(endpoint, serviceName, cluster)) {
    if (t.taskDefinitionArn !== target && t.lastStatus !== 'STOPPED') await ecs.stopTask(cluster, t.taskArn!, SCALING_REASON);
  }
  return target;
}

/**
 * One pass of the stand-in per tick(now): every service of the cluster that moved to another revision
 * since the last pass (or was created after the first one, like blue/green's green service, or scaled
 * up from 0) gets its deployment played, at once or `taskDelayMs` later. A service scaled to 0 or
 * deleted (blue/green's finish and abort do both) has its running tasks stopped, once, as ECS would:
 * moto leaves them RUNNING, and a later wait would count them. The first pass only learns what runs
 * (and stops the tasks of services already scaled to 0).
 */
export function createEcsSchedulerStandIn(endpoint: string, net: TaskNetwork, options: StandInOptions = {}) {
  const cluster = options.cluster ?? CLUSTER;
  const delay = options.taskDelayMs ?? 0;
  const known = new Map<string, string>();
  /** Revisions seen running or deployed: a rollback to one of them works even with failNewTasks. */
  const proven = new Set<string>();
  const due = new Map<string, number>();
  /** Services scaled to 0 or deleted whose tasks were stopped. */
  const idle = new Set<string>();
  let first = true;
  /** Tasks started or stopped so far: a pass that changed it acted. */
  let acts = 0;
  const stopAll = async (service: string, why: IdleReason) => {
    acts += 1;
    due.delete(service);
    idle.add(service);
    const stopped = await actAsEcsSchedulerForScaleToZero(endpoint, service, cluster);
    options.onStop?.(service, stopped, why);
  };
  const deploy = async (service: string) => {
    acts += 1;
    const target = known.get(service)!;
    const fail = options.failNewTasks === true && !proven.has(target);
    await actAsEcsSchedulerForDeployment(endpoint, net, service, { cluster, fail });
    if (!fail) proven.add(target);
    options.onDeploy?.(service, target, fail);
  };
  return {
    /** One pass at `now`: true when it started or stopped tasks (or has a deployment due), false when nothing moved. */
    async tick(now: number): Promise<boolean> {
      const actsBefore = acts;
      const ecs = await sandboxAws(endpoint).ecs();
      const listed = new Set<string>();
      // describeServicesBatch leaves out INACTIVE services (moto lists a deleted one so): they count as gone.
      for (const s of await ecs.describeServicesBatch(cluster, await ecs.listServices(cluster))) {
        const name = s.serviceName!;
        listed.add(name);
        const before = known.get(name);
        known.set(name, s.taskDefinition!);
        if (first) proven.add(s.taskDefinition!);
        // ECS lists a deleted service as DRAINING for a while, then not at all.
        if (s.status !== 'ACTIVE' || s.desiredCount === 0) {
          if (!idle.has(name)) await stopAll(name, s.status !== 'ACTIVE' ? 'deleted' : 'scaled to 0');
          continue;
        }
        const revived = idle.delete(name) && !first;
        const created = before === undefined && !first;
        if ((before !== undefined && before !== s.taskDefinition) || created || revived) {
          if (delay === 0) await deploy(name);
          else due.set(name, now + delay);
        }
      }
      for (const name of [...known.keys()].filter((n) => !listed.has(n))) {
        known.delete(name);
        if (!idle.has(name)) await stopAll(name, 'deleted');
        idle.delete(name);
      }
      first = false;
      for (const [name, at] of [...due]) {
        if (at > now) continue;
        due.delete(name);
        await deploy(name);
      }
      return acts !== actsBefore || due.size > 0;
    },
    /** When the earliest delayed deployment is due (ms since the epoch), if one is. */
    nextDueAt(): number | undefined {
      return due.size === 0 ? undefined : Math.min(...due.values());
    },
  };
}

/**
 * How long the stand-in sleeps after a pass: `base` after one that acted, else twice the last sleep up to
 * `max` (an idle sandbox costs a few requests a second, not eight), and never past a deployment that is due.
 */
export function nextSleepMs(last: number, acted: boolean, base: number, max: number, untilDue?: number): number {
  const sleep = acted ? base : Math.min(Math.max(last * 2, base), Math.max(max, base));
  return untilDue === undefined ? sleep : Math.max(0, Math.min(sleep, untilDue));
}

/**
 * Plays the ECS scheduler for every service of the cluster, each time one moves to another revision,
 * until stopped. Without `onError` a failed pass ends the loop (stop() rethrows it); with it, the
 * loop reports and goes on (the sandbox's stand-in outlives a moto reset). `onReady`: the first pass
 * has learnt what runs; a change made before then would be taken for the starting point.
 */
export function actAsEcsSchedulerWhileRunning(
  endpoint: string,
  net: TaskNetwork,
  options: StandInOptions & {
    onError?: (err: unknown) => void;
    onReady?: () => void;
    /** The sleep after a pass that acted (250 ms unless given); maxIntervalMs: the longest while nothing moves (the same unless given). */
    intervalMs?: number;
    maxIntervalMs?: number;
  } = {},
): { stop(): Promise<void> } {
  const standIn = createEcsSchedulerStandIn(endpoint, net, options);
  let running = true;
  let ready = false;
  let wake: (() => void) | undefined;
  const base = options.intervalMs ?? 250;
  const max = options.maxIntervalMs ?? base;
  let sleep = base;
  const loop = (async () => {
    while (running) {
      let acted = true;
      try {
        acted = await standIn.tick(Date.now());
        if (!ready) options.onReady?.();
        ready = true;
      } catch (err) {
        if (!options.onError) throw err;
        options.onError(err);
      }
      const dueAt = standIn.nextDueAt();
      sleep = nextSleepMs(sleep, acted, base, max, dueAt === undefined ? undefined : dueAt - Date.now());
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, sleep);
      });
    }
  })();
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
