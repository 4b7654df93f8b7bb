import type { Deployment, ServiceEvent } from '@aws-sdk/client-ecs';
import { escapeControls } from './escape.js';
import { describeStoppedTasks, type StoppedTask } from './task-progress.js';

/** A service event as meshctl reports it: the message with its control characters escaped. */
export interface ServiceEventRecord {
  id: string | null;
  /** ISO 8601, or null when the answer had none. */
  createdAt: string | null;
  message: string;
}

/** How many of the latest events a failure message shows. */
export const LAST_EVENTS_SHOWN = 5;
/** How many stopped tasks of each kind a failure message names. */
export const STOPPED_SHOWN = 3;
/** How many events one wait keeps for --json (ECS itself lists the latest 100). */
export const EVENTS_KEPT = 100;

/** An event's identity: its id, else its time and text (an answer without ids is still read once). */
export function eventKey(e: ServiceEvent): string {
  return e.id ?? `${e.createdAt ? new Date(e.createdAt).toISOString() : ''} ${e.message ?? ''}`;
}

const time = (d: Date | undefined): number => (d ? new Date(d).getTime() : Number.NaN);

/**
 * The moment events count as new from: the revision's deployment's createdAt while it is rolling out
 * (the update's start, by the same clock as the events), else `waitStart`: a deployment that already
 * finished, or none listed for the revision (moto never lists one), has no news from before the wait.
 */
export function eventsSince(deployment: Deployment | undefined, waitStart: Date): Date {
  const created = time(deployment?.createdAt);
  if (!deployment || Number.isNaN(created) || deployment.rolloutState === 'COMPLETED') return waitStart;
  return new Date(Math.min(created, waitStart.getTime()));
}

/**
 * DescribeServices' `events` (newest first, as ECS lists them) in; those created at or after `since`
 * whose key is not in `seen` out, oldest first, escaped. An event without createdAt counts as new.
 */
export function newServiceEvents(
  events: readonly ServiceEvent[] | undefined,
  since: Date,
  seen: ReadonlySet<string>,
): ServiceEventRecord[] {
  const fresh = (events ?? []).filter((e) => {
    if (seen.has(eventKey(e))) return false;
    const at = time(e.createdAt);
    return Number.isNaN(at) || at >= since.getTime();
  });
  // ECS lists newest first: reversed, then a stable sort by time (events without one last).
  const key = (e: ServiceEvent) => (Number.isNaN(time(e.createdAt)) ? Number.MAX_SAFE_INTEGER : time(e.createdAt));
  const order = [...fresh].reverse().sort((a, b) => key(a) - key(b));
  return order.map((e) => ({
    id: e.id ? escapeControls(e.id) : null,
    createdAt: Number.isNaN(time(e.createdAt)) ? null : new Date(e.createdAt!).toISOString(),
    message: escapeControls(e.message ?? ''),
  }));
}

/** `13:04:05 (service x) has started 1 tasks: …`: one event as a line (UTC, as ECS's console shows times). */
export function eventLine(e: ServiceEventRecord): string {
  return `${e.createdAt ? `${e.createdAt.slice(11, 19)} ` : ''}${e.message}`;
}

export interface WaitFailure {
  /** What happened, first line: `timed out after 10m with 2/3 RUNNING of …`. */
  headline: string;
  /** The revision waited for. */
  revision: string;
  /** The revision's deployment as last described, when ECS listed one. */
  deployment?: Pick<Deployment, 'id' | 'status' | 'rolloutState' | 'rolloutStateReason' | 'failedTasks'>;
  /** Events since the update started, oldest first; the last LAST_EVENTS_SHOWN are shown. */
  events: readonly ServiceEventRecord[];
  /** Tasks of the revision that stopped during the wait. */
  stopped: readonly StoppedTask[];
  /** Tasks of the revision that had stopped before it (ECS lists stopped tasks for about an hour). */
  stoppedBefore?: readonly StoppedTask[];
  /** Said when the service could not be described again for this message. */
  unread?: string;
  /** The last line: what to do next. */
  next?: string;
}

/** A failed or timed-out wait as one message: what happened, the deployment, stopped tasks, the last events, what next. */
export function describeWaitFailure(f: WaitFailure): string {
  const lines = [f.headline];
  const d = f.deployment;
  if (d) {
    const facts = [d.status, d.failedTasks ? `${d.failedTasks} failed tasks` : undefined].filter(Boolean);
    const reason = d.rolloutStateReason ? `: ${escapeControls(d.rolloutStateReason)}` : '';
    const state = `rolloutState ${d.rolloutState ?? 'unknown'}${reason}`;
    lines.push(`deployment ${escapeControls(d.id ?? '?')}${facts.length ? ` (${facts.join(', ')})` : ''} ${state}`);
  } else lines.push(`deployment: ECS lists none for ${f.revision}`);
  const tasks = (title: string, stopped: readonly StoppedTask[]) => {
    if (!stopped.length) return;
    const more = stopped.length > STOPPED_SHOWN ? ` (${STOPPED_SHOWN} of ${stopped.length})` : '';
    lines.push(
      `${title}${more}:`,
      ...describeStoppedTasks(stopped.slice(0, STOPPED_SHOWN))
        .split('\n')
        .map((l) => `  ${l}`),
    );
  };
  tasks('stopped while waiting', f.stopped);
  tasks('stopped before the wait', f.stoppedBefore ?? []);
  const last = f.events.slice(-LAST_EVENTS_SHOWN);
  if (last.length) lines.push(`last service events (${last.length} of ${f.events.length}):`, ...last.map((e) => `  ${eventLine(e)}`));
  else lines.push('no service events since the update started');
  if (f.unread) lines.push(f.unread);
  if (f.next) lines.push(f.next);
  return lines.join('\n');
}
