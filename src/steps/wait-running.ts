import type { Service } from '@aws-sdk/client-ecs';
import { sameRevision } from '../core/arn.js';
import { formatDuration } from '../core/duration.js';
import { pollUntil } from '../core/poll.js';
import {
  describeWaitFailure,
  eventLine,
  eventKey,
  EVENTS_KEPT,
  eventsSince,
  newServiceEvents,
  type ServiceEventRecord,
} from '../core/service-events.js';
import { assessTasks, progressText, type TaskProgress } from '../core/task-progress.js';
import { CheckFailedError, MeshctlError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { serviceTaskSource, type TaskSource } from './task-source.js';
import { transientPolls } from './transient.js';
import type { ServiceTarget } from './service.js';

export const DEFAULT_INTERVAL_MS = 10_000;
export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;
/**
 * The service (its deployment's rolloutState and its events) is described on every this-many polls,
 * and at least once per --interval: a FAILED rollout also stops tasks, which every poll sees.
 */
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
  /** rollout --dry-run: the reads and checks made before the first poll, then the result with no poll (running 0). */
  dryRun?: boolean;
}

export interface WaitResult extends ServiceTarget {
  taskDefinitionArn: string;
  running: number;
  wanted: number;
  elapsedMs: number;
  polls: number;
  /** Service events since the update started, oldest first, as they were printed. */
  events: ServiceEventRecord[];
}

/** Where a wait leaves what it saw, so that a command can report it when the wait fails. */
export interface WaitSeen {
  last?: WaitResult;
  /** Every new service event, appended as it is seen (one list may serve several waits: a rollout's and its rollback's). */
  events?: ServiceEventRecord[];
}

/** The revision's deployment: ECS lists one per revision it is moving to or from. */
const deploymentOf = (service: Service | undefined, revision: string) =>
  service?.deployments?.find((d) => sameRevision(d.taskDefinition, revision));

/**
 * Waits until `wanted` tasks of the service's revision are RUNNING; fails at once when one stops or
 * the rollout FAILED. New service events are printed as they appear; a failure's message names the
 * deployment's state, the stopped tasks and the last events.
 */
export async function runWaitRunning(ctx: Context, target: ServiceTarget, opts: WaitOptions, seen: WaitSeen = {}): Promise<WaitResult> {
  const ecs = await ctx.aws.ecs();
  const { clock, signal } = ctx;
  const start = clock.now();
  const events: ServiceEventRecord[] = [];
  const seenEvents = new Set<string>();
  let since: Date | undefined;
  let described: Service | undefined;
  let describedAt = start;
  let revision = opts.taskDefinitionArn;
  // Events go above the progress line once it shows (a spinner would overwrite a plain line).
  let say = (line: string) => ctx.ui.info(`${target.service}: ${line}`);
  /** Reads the service: new events are printed and kept. */
  const describe = async (): Promise<Service> => {
    const service = await ecs.describeServices(target.cluster, target.service);
    described = service;
    describedAt = clock.now();
    since ??= eventsSince(deploymentOf(service, revision ?? service.taskDefinition ?? ''), new Date(start));
    const fresh = newServiceEvents(service.events, since, seenEvents);
    for (const e of service.events ?? []) seenEvents.add(eventKey(e));
    for (const e of fresh) {
      say(`event ${eventLine(e)}`);
      if (events.length < EVENTS_KEPT) events.push(e);
      seen.events?.push(e);
    }
    return service;
  };
  let desired = opts.desiredCount;
  if (revision === undefined || (opts.count === undefined && desired === undefined)) {
    const service = await describe();
    revision ??= service.taskDefinition!;
    desired ??= service.desiredCount;
  }
  const wanted = opts.count ?? desired ?? 1;
  const rev = revision;
  const waitStart = new Date(start);
  const source = opts.taskSource ?? serviceTaskSource(ecs, target.cluster);
  const alreadyStopped = new Set<string>();
  let polls = 0;
  let last: TaskProgress | undefined;
  const result = (running: number): WaitResult => ({
    ...target,
    taskDefinitionArn: rev,
    running,
    wanted,
    elapsedMs: clock.now() - start,
    polls,
    events: [...events],
  });
  /** The failure's message: fresh facts when the service can be read again, else the last ones, said so. */
  const failure = async (headline: string, next?: string, fresh = true): Promise<string> => {
    let unread: string | undefined;
    if (fresh) {
      try {
        await describe();
      } catch (err) {
        if (!(err instanceof MeshctlError)) throw err;
        unread = `(the service could not be described again: ${err.message})`;
      }
    }
    if (last) seen.last = result(last.running);
    return describeWaitFailure({
      headline,
      revision: rev,
      deployment: deploymentOf(described, rev),
      events,
      stopped: last?.state === 'failed' ? last.stopped : [],
      stoppedBefore: last?.stoppedBefore,
      unread,
      next,
    });
  };
  const initial = deploymentOf(described, rev);
  if (initial?.rolloutState === 'FAILED')
    throw new CheckFailedError(await failure(`deployment ${initial.id} of ${rev} has FAILED`, undefined, false));
  if (opts.dryRun) return result(0);
  const progress = await ctx.ui.startProgress(`${target.service}`);
  say = (line) => progress.log(line);
  try {
    const done = await pollUntil(
      async (attempt) => {
        polls++;
        const tasks = await source.tasksOf(target.service);
        if (attempt === 0) for (const t of tasks) if (t.taskArn && t.lastStatus === 'STOPPED') alreadyStopped.add(t.taskArn);
        const p = assessTasks(tasks, rev, wanted, { stoppedSince: waitStart, alreadyStopped });
        last = p;
        seen.last = result(p.running);
        progress.update(progressText(p), clock.now() - start);
        if (p.state === 'failed') throw new CheckFailedError(await failure(`a task of ${rev} stopped while waiting`));
        if (p.state === 'done') return p;
        if (attempt % ROLLOUT_STATE_EVERY === ROLLOUT_STATE_EVERY - 1 || clock.now() - describedAt >= opts.intervalMs) {
          const d = deploymentOf(await describe(), rev);
          seen.last = result(p.running);
          if (d?.rolloutState === 'FAILED')
            throw new CheckFailedError(await failure(`deployment ${d.id} of ${rev} FAILED`, undefined, false));
        }
        return undefined;
      },
      {
        timeoutMs: opts.timeoutMs,
        intervalMs: opts.intervalMs,
        signal,
        ...transientPolls(ctx),
        // Names the --timeout given, not the time measured (which a busy machine rounds up past it).
        timeoutMessage: () =>
          failure(
            `timed out after ${formatDuration(opts.timeoutMs)} with ${last ? progressText(last) : 'no tasks seen'} of ${rev}`,
            'raise --timeout if tasks are still starting; the deployment and the events say why they are not',
          ),
      },
      clock,
    );
    return result(done.running);
  } finally {
    progress.stop();
  }
}
