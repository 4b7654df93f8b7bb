import { describe, expect, it } from 'vitest';
import {
  describeWaitFailure,
  eventLine,
  eventsSince,
  LAST_EVENTS_SHOWN,
  newServiceEvents,
  STOPPED_SHOWN,
} from '../../src/core/service-events.js';

const at = (s: string) => new Date(`2026-12-01T13:${s}Z`);
// As ECS lists them: newest first.
const EVENTS = [
  { id: 'e3', createdAt: at('05:30'), message: '(service crystal) has reached a steady state.' },
  { id: 'e2', createdAt: at('05:10'), message: '(service crystal) has started 1 tasks: (task abc).' },
  { id: 'e1', createdAt: at('04:50'), message: '(service crystal) was unable to place a task.' },
  { id: 'e0', createdAt: at('01:00'), message: '(service crystal) has reached a steady state.' },
];

describe('newServiceEvents', () => {
  it('keeps the events since the update, oldest first, each once', () => {
    const fresh = newServiceEvents(EVENTS, at('04:00'), new Set());
    expect(fresh.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    expect(fresh[0]).toEqual({ id: 'e1', createdAt: '2026-12-01T13:04:50.000Z', message: '(service crystal) was unable to place a task.' });
    expect(newServiceEvents(EVENTS, at('04:00'), new Set(['e1', 'e2'])).map((e) => e.id)).toEqual(['e3']);
  });

  it('an event at the very moment of the update is new; one a second before is not', () => {
    expect(newServiceEvents(EVENTS, at('04:50'), new Set()).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    expect(newServiceEvents(EVENTS, at('04:51'), new Set()).map((e) => e.id)).toEqual(['e2', 'e3']);
  });

  it('escapes control characters in what ECS returns (a message is remote text)', () => {
    const [e] = newServiceEvents(
      [{ id: 'x\u001b', createdAt: at('05:00'), message: 'a\u001b[2Jb\nforged\u009bc' }],
      at('04:00'),
      new Set(),
    );
    expect(e).toMatchObject({ id: 'x\\u001b', message: 'a\\u001b[2Jb\\u000aforged\\u009bc' });
  });

  it('reads events without id or time once, after the timed ones', () => {
    const odd = [{ message: 'no time' }, { id: 'e9', createdAt: at('05:00'), message: 'timed' }];
    const fresh = newServiceEvents(odd, at('04:00'), new Set());
    expect(fresh).toEqual([
      { id: 'e9', createdAt: '2026-12-01T13:05:00.000Z', message: 'timed' },
      { id: null, createdAt: null, message: 'no time' },
    ]);
  });

  it('an answer without events has none', () => {
    expect(newServiceEvents(undefined, at('00:00'), new Set())).toEqual([]);
  });
});

describe('eventsSince', () => {
  const waitStart = at('06:00');
  it.each([
    ['a rolling deployment: its start', { createdAt: at('04:00'), rolloutState: 'IN_PROGRESS' }, at('04:00')],
    ['a finished deployment: the wait start', { createdAt: at('04:00'), rolloutState: 'COMPLETED' }, waitStart],
    ['no deployment for the revision (moto): the wait start', undefined, waitStart],
    [
      'a deployment dated after the wait began (clock skew): the wait start',
      { createdAt: at('07:00'), rolloutState: 'IN_PROGRESS' },
      waitStart,
    ],
  ])('%s', (_, deployment, expected) => {
    expect(eventsSince(deployment as never, waitStart)).toEqual(expected);
  });
});

describe('describeWaitFailure', () => {
  const events = Array.from({ length: 7 }, (_, i) => ({ id: `e${i}`, createdAt: `2026-12-01T13:0${i}:00.000Z`, message: `event ${i}` }));
  const stopped = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      taskArn: `arn:aws:ecs:us-west-2:1:task/c/t${i}`,
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', exitCode: 137 }],
    }));

  it('names the deployment, its rolloutState and reason, the stopped tasks and the last events', () => {
    const text = describeWaitFailure({
      headline: 'timed out after 10m with 2/3 RUNNING of fam:2',
      revision: 'fam:2',
      deployment: {
        id: 'ecs-svc/1',
        status: 'PRIMARY',
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: 'ECS deployment ecs-svc/1 in progress.',
        failedTasks: 2,
      },
      events,
      stopped: stopped(1),
      stoppedBefore: stopped(5),
      next: 'raise --timeout',
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('timed out after 10m with 2/3 RUNNING of fam:2');
    expect(lines[1]).toBe('deployment ecs-svc/1 (PRIMARY, 2 failed tasks) rolloutState IN_PROGRESS: ECS deployment ecs-svc/1 in progress.');
    expect(text).toContain('stopped while waiting:\n  task t0 stopped: Essential container in task exited (app: exit 137)');
    expect(text).toContain(`stopped before the wait (${STOPPED_SHOWN} of 5):`);
    expect(text).toContain(`last service events (${LAST_EVENTS_SHOWN} of 7):\n  13:02:00 event 2`);
    expect(text).not.toContain('event 1\n');
    expect(text.endsWith('  13:06:00 event 6\nraise --timeout')).toBe(true);
  });

  it('says when ECS lists no deployment and no event, and escapes remote reasons', () => {
    const text = describeWaitFailure({
      headline: 'a task of fam:2 stopped while waiting',
      revision: 'fam:2',
      events: [],
      stopped: [{ taskArn: 't/x', stoppedReason: 'bad\u001b]0;title\u0007', containers: [] }],
    });
    expect(text).toBe(
      'a task of fam:2 stopped while waiting\ndeployment: ECS lists none for fam:2\nstopped while waiting:\n' +
        '  task x stopped: bad\\u001b]0;title\\u0007\nno service events since the update started',
    );
  });

  it('escapes the rolloutStateReason', () => {
    const text = describeWaitFailure({
      headline: 'h',
      revision: 'r',
      deployment: { id: 'd', rolloutState: 'FAILED', rolloutStateReason: 'x\nerror: forged' },
      events: [],
      stopped: [],
    });
    expect(text.split('\n')[1]).toBe('deployment d rolloutState FAILED: x\\u000aerror: forged');
  });
});

describe('eventLine', () => {
  it('shows the UTC time and the message', () => {
    expect(eventLine({ id: 'e', createdAt: '2026-12-01T13:04:05.000Z', message: 'm' })).toBe('13:04:05 m');
    expect(eventLine({ id: null, createdAt: null, message: 'm' })).toBe('m');
  });
});
