import type { Task } from '@aws-sdk/client-ecs';
import { sameRevision } from './arn.js';
import { escapeControls } from './escape.js';

export interface StoppedTask {
  taskArn: string;
  stoppedReason?: string;
  stopCode?: string;
  containers: { name: string; exitCode?: number; reason?: string }[];
}

interface Counts {
  running: number;
  pending: number;
  wanted: number;
  otherRevisions: number;
  /** Tasks of the revision that stopped before the wait: not a failure of it, but worth naming when it fails. */
  stoppedBefore: StoppedTask[];
}

export type TaskProgress =
  ({ state: 'waiting' } & Counts) | ({ state: 'done' } & Counts) | ({ state: 'failed'; stopped: StoppedTask[] } & Counts);

export interface StoppedFilter {
  /** Tasks that stopped before this are history, not a failure of this wait. */
  stoppedSince?: Date;
  /** Tasks already stopped when the wait began (for answers without stoppedAt, such as moto's). */
  alreadyStopped?: ReadonlySet<string>;
}

/**
 * DescribeTasks results for a service in; how many tasks of `revisionArn` (an ARN or family:rev) run
 * out. A task of that revision that stops during the wait fails it; ones stopped before are ignored.
 */
export function assessTasks(tasks: readonly Task[], revisionArn: string, wanted: number, filter: StoppedFilter = {}): TaskProgress {
  let running = 0;
  let pending = 0;
  let otherRevisions = 0;
  const stopped: StoppedTask[] = [];
  const stoppedBefore: StoppedTask[] = [];
  for (const task of tasks) {
    if (!sameRevision(task.taskDefinitionArn, revisionArn)) {
      if (task.lastStatus !== 'STOPPED') otherRevisions++;
      continue;
    }
    if (task.lastStatus === 'RUNNING' && task.desiredStatus !== 'STOPPED') running++;
    else if (task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') {
      const at = task.stoppedAt ?? task.stoppingAt;
      const before = at
        ? !!filter.stoppedSince && new Date(at) < filter.stoppedSince
        : !!task.taskArn && !!filter.alreadyStopped?.has(task.taskArn);
      (before ? stoppedBefore : stopped).push(describeStopped(task));
    } else pending++;
  }
  const counts = { running, pending, wanted, otherRevisions, stoppedBefore };
  if (stopped.length > 0) return { state: 'failed', ...counts, stopped };
  return { state: running >= wanted ? 'done' : 'waiting', ...counts };
}

function describeStopped(task: Task): StoppedTask {
  return {
    taskArn: task.taskArn ?? '(unknown task)',
    stoppedReason: task.stoppedReason || undefined,
    stopCode: task.stopCode,
    containers: (task.containers ?? []).map((c) => ({ name: c.name ?? '?', exitCode: c.exitCode, reason: c.reason || undefined })),
  };
}

/** One line per stopped task, with its reason and each container's (remote text, escaped). */
export function describeStoppedTasks(stopped: readonly StoppedTask[]): string {
  return stopped
    .map((t) => {
      const id = t.taskArn.split('/').pop();
      const containers = t.containers
        .filter((c) => c.reason !== undefined || c.exitCode !== undefined)
        .map((c) => `${escapeControls(c.name)}: ${c.reason === undefined ? `exit ${c.exitCode}` : escapeControls(c.reason)}`);
      const reason = t.stoppedReason === undefined ? 'no reason given' : escapeControls(t.stoppedReason);
      return `task ${escapeControls(id ?? '?')} stopped: ${reason}${containers.length ? ` (${containers.join('; ')})` : ''}`;
    })
    .join('\n');
}

/** `2/3 RUNNING`, the count people read in progress output. */
export function progressText(p: TaskProgress): string {
  const extra = [p.pending ? `${p.pending} starting` : '', p.otherRevisions ? `${p.otherRevisions} old` : ''].filter(Boolean);
  return `${p.running}/${p.wanted} RUNNING${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
