import { sameRevision } from '../core/arn.js';
import { formatDuration } from '../core/duration.js';
import { pollUntil } from '../core/poll.js';
import { assessTasks, describeStoppedTasks, progressText, type TaskProgress } from '../core/task-progress.js';
import { CheckFailedError } from '../errors.js';
import type { Context } from './context.js';
import { serviceTaskSource, type TaskSource } from './task-source.js';
import { transientPolls } from './transient.js';
import { pickDeployment, type ServiceTarget } from './service.js';

export const DEFAULT_INTERVAL_MS = 10_000;
export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;
/** The deployment's rolloutState is read on every this-many polls: a FAILED rollout also stops tasks, which every poll sees. */
export const ROLLOUT_STATE_EVERY = 3;

export interface WaitOptions {
  count?: number;
  intervalMs: number;
  timeoutMs: number;
  /** Known already (rollout): skips the first DescribeServices. */
  taskDefinitionArn?: string;
  desiredCount?: number;
  /** Shared by services waiting in one cluster (rollout of many); default: this service alone. */
  taskSource?: TaskSource;
}

export interface WaitResult extends ServiceTarget {
  taskDefinitionArn: string;
  running: number;
  wanted: number;
  elapsedMs: number;
  polls: number;
}

async function rolloutFailure(ctx: Context, target: ServiceTarget, revision: string): Promise<string | undefined> {
  const service = await (await ctx.aws.ecs()).describeServices(target.cluster, target.service);
  const d = service.deployments?.find((x) => sameRevision(x.taskDefinition, revision));
  if (d?.rolloutState === 'FAILED') return `deployment ${d.id} of ${revision} FAILED: ${d.rolloutStateReason ?? 'no reason given'}`;
  return undefined;
}

/** Where a wait leaves what it saw last, so that a command can report it when the wait fails. */
export interface WaitSeen {
  last?: WaitResult;
}

/** Waits until `wanted` tasks of the service's revision are RUNNING; fails at once when one stops. */
export async function runWaitRunning(ctx: Context, target: ServiceTarget, opts: WaitOptions, seen: WaitSeen = {}): Promise<WaitResult> {
  const ecs = await ctx.aws.ecs();
  const { clock, signal } = ctx;
  let revision = opts.taskDefinitionArn;
  let desired = opts.desiredCount;
  if (revision === undefined || (opts.count === undefined && desired === undefined)) {
    const service = await ecs.describeServices(target.cluster, target.service);
    revision ??= service.taskDefinition!;
    desired ??= service.desiredCount;
    const d = pickDeployment(service, revision);
    if (d?.rolloutState === 'FAILED') throw new CheckFailedError(`deployment ${d.id} of ${revision} has FAILED; see the service's events`);
  }
  const wanted = opts.count ?? desired ?? 1;
  const rev = revision;
  const start = clock.now();
  const since = new Date(start);
  const source = opts.taskSource ?? serviceTaskSource(ecs, target.cluster);
  const alreadyStopped = new Set<string>();
  let polls = 0;
  let last: TaskProgress | undefined;
  const progress = await ctx.ui.startProgress(`${target.service}`);
  try {
    const done = await pollUntil(
      async (attempt) => {
        polls++;
        const tasks = await source.tasksOf(target.service);
        if (attempt === 0) for (const t of tasks) if (t.taskArn && t.lastStatus === 'STOPPED') alreadyStopped.add(t.taskArn);
        const p = assessTasks(tasks, rev, wanted, { stoppedSince: since, alreadyStopped });
        last = p;
        seen.last = { ...target, taskDefinitionArn: rev, running: p.running, wanted, elapsedMs: clock.now() - start, polls };
        progress.update(progressText(p), clock.now() - start);
        if (p.state === 'failed') throw new CheckFailedError(`a task of ${rev} stopped while waiting:\n${describeStoppedTasks(p.stopped)}`);
        if (p.state === 'done') return p;
        if (attempt % ROLLOUT_STATE_EVERY === ROLLOUT_STATE_EVERY - 1) {
          const failure = await rolloutFailure(ctx, target, rev);
          if (failure) throw new CheckFailedError(failure);
        }
        return undefined;
      },
      {
        timeoutMs: opts.timeoutMs,
        intervalMs: opts.intervalMs,
        signal,
        ...transientPolls(ctx),
        timeoutMessage: (elapsed) =>
          `timed out after ${formatDuration(elapsed)} with ${last ? progressText(last) : 'no tasks seen'} of ${rev}; ` +
          "raise --timeout, or look at the service's events (aws ecs describe-services)",
      },
      clock,
    );
    return { ...target, taskDefinitionArn: rev, running: done.running, wanted, elapsedMs: clock.now() - start, polls };
  } finally {
    progress.stop();
  }
}
