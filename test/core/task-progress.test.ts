import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { assessTasks, describeStoppedTasks, progressText } from '../../src/core/task-progress.js';

const NEW = 'arn:aws:ecs:us-west-2:1:task-definition/crystal:2';
const OLD = 'arn:aws:ecs:us-west-2:1:task-definition/crystal:1';
const task = (id: string, td: string, lastStatus: string, extra: Partial<Task> = {}): Task => ({
  taskArn: `arn:aws:ecs:us-west-2:1:task/c/${id}`,
  taskDefinitionArn: td,
  lastStatus,
  desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
  ...extra,
});

describe('assessTasks', () => {
  it.each([
    [
      'waiting while old tasks still run',
      [task('a', OLD, 'RUNNING'), task('b', NEW, 'RUNNING')],
      3,
      { state: 'waiting', running: 1, otherRevisions: 1 },
    ],
    [
      'counts PENDING and PROVISIONING as starting',
      [task('a', NEW, 'PENDING'), task('b', NEW, 'PROVISIONING')],
      1,
      { state: 'waiting', running: 0, pending: 2 },
    ],
    [
      'done at the wanted count',
      [task('a', NEW, 'RUNNING'), task('b', NEW, 'RUNNING'), task('c', NEW, 'RUNNING')],
      3,
      { state: 'done', running: 3 },
    ],
    [
      'not done by tasks of another revision',
      [task('a', OLD, 'RUNNING'), task('b', OLD, 'RUNNING'), task('c', OLD, 'RUNNING')],
      3,
      { state: 'waiting', running: 0 },
    ],
    [
      'ignores stopped tasks of other revisions',
      [task('a', OLD, 'STOPPED'), task('b', NEW, 'RUNNING')],
      1,
      { state: 'done', otherRevisions: 0 },
    ],
    [
      'does not count a RUNNING task that is being stopped',
      [task('a', NEW, 'RUNNING', { desiredStatus: 'STOPPED' })],
      1,
      { state: 'failed', running: 0 },
    ],
  ])('%s', (_name, tasks, wanted, expected) => {
    expect(assessTasks(tasks, NEW, wanted)).toMatchObject(expected);
  });

  it('fails when a task of the revision stops, with its reasons', () => {
    const stopped = task('x', NEW, 'STOPPED', {
      stoppedReason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'envoy', exitCode: 1, reason: 'CannotPullContainerError: pull access denied' }, { name: 'crystal' }],
    });
    const p = assessTasks([task('a', NEW, 'RUNNING'), stopped], NEW, 3);
    expect(p.state).toBe('failed');
    if (p.state !== 'failed') return;
    expect(describeStoppedTasks(p.stopped)).toBe(
      'task x stopped: Essential container in task exited (envoy: CannotPullContainerError: pull access denied)',
    );
  });

  it('ignores tasks that stopped before the wait began', () => {
    const since = new Date('2026-11-22T10:00:00Z');
    const old = task('x', NEW, 'STOPPED', { stoppedAt: new Date('2026-11-22T09:00:00Z') });
    const fresh = task('y', NEW, 'STOPPED', { stoppedAt: new Date('2026-11-22T10:05:00Z') });
    expect(assessTasks([old], NEW, 1, { stoppedSince: since }).stoppedBefore.map((t) => t.taskArn)).toEqual([old.taskArn]);
    expect(assessTasks([old], NEW, 1, { stoppedSince: since }).state).toBe('waiting');
    expect(assessTasks([old, fresh], NEW, 1, { stoppedSince: since }).state).toBe('failed');
  });

  it('ignores tasks without stoppedAt that were stopped when the wait began', () => {
    const stopped = task('x', NEW, 'STOPPED');
    expect(assessTasks([stopped], NEW, 1, { alreadyStopped: new Set([stopped.taskArn!]) }).state).toBe('waiting');
    expect(assessTasks([stopped], NEW, 1, { alreadyStopped: new Set() }).state).toBe('failed');
  });

  it('formats progress as people read it', () => {
    expect(progressText(assessTasks([task('a', NEW, 'RUNNING'), task('b', NEW, 'PENDING'), task('c', OLD, 'RUNNING')], NEW, 3))).toBe(
      '1/3 RUNNING (1 starting, 1 old)',
    );
  });
});
