import { ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';

import { useMotoWorkshop } from '../support/moto-workshop.js';
import { actAsEcsSchedulerWhileRunning, FAMILY, sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop();

const { cli } = env;
const serviceRevision = () => env.serviceRevision();

describe('meshctl rollback against moto', () => {
  it('points the service back at the revision it ran before and waits for it', async () => {
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      expect((await cli(['add-envoy'])).code).toBe(0);
      expect((await cli(['update-service'])).code).toBe(0);
      expect(await serviceRevision()).toMatch(/:2$/);
      const r = await cli(['rollback', '--json', '--timeout', '30s']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        action: 'rolled-back',
        from: expect.stringMatching(/:2$/),
        to: expect.stringMatching(/:1$/),
        wait: { running: 3 },
      });
      expect(await serviceRevision()).toMatch(/:1$/);
    } finally {
      await scheduler.stop();
    }
  });

  it('--to picks the revision; the same revision changes nothing', async () => {
    const r = await cli(['rollback', '--to', '1', '--no-wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/unchanged: crystal-service-lb already runs .*:1/);
  });

  it('says when there is nothing before the first revision', async () => {
    const r = await cli(['rollback']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no revision before .*:1 to roll back to; pass --to REVISION/);
  });

  it('rollout --rollback-on-failure returns the service to its old revision when the wait fails', async () => {
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      // The new tasks never come up in time (--count 4 of 3), so the wait fails and rollout rolls back.
      const r = await cli(['rollout', '--rollback-on-failure', '--count', '4', '--timeout', '3s', '--json']);
      expect(r.code, r.stderr).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.failedStep).toBe('wait-running');
      expect(out.rollback).toMatchObject({ ok: true, action: 'rolled-back', to: expect.stringMatching(/:1$/) });
      expect(r.stderr).toMatch(/wait-running failed; rolling back \(--rollback-on-failure\)/);
      expect(await serviceRevision()).toMatch(/:1$/);
      const revisions = await sdkClients(env.moto.url).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }));
      expect(revisions.taskDefinitionArns).toHaveLength(2);
      // The hint retries the rollout: no --from, whose step would now run on the old revision.
      const retry = 'meshctl rollout --rollback-on-failure --count 4 --timeout 3s --json';
      expect(out.resumeCommand).toBe(retry);
      expect(r.stderr).toContain(`rolled back; once the cause is fixed, retry with: ${retry}\n`);
      expect(r.stderr.split('meshctl rollout').length - 1).toBe(1);
      expect(out.events).toEqual([]); // moto writes no service events
    } finally {
      await scheduler.stop();
    }
  });

  it('after a rollback, a rollout started --from wait-running is retried from the start, the hint said once', async () => {
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      expect((await cli(['add-envoy'])).code).toBe(0);
      expect((await cli(['update-service'])).code).toBe(0);
      const r = await cli(['rollout', '--from', 'wait-running', '--rollback-on-failure', '--count', '4', '--timeout', '3s']);
      expect(r.code, r.stderr).toBe(1);
      expect(await serviceRevision()).toMatch(/:1$/);
      const retry = 'meshctl rollout --rollback-on-failure --count 4 --timeout 3s';
      expect(r.stderr).toContain(`retry with: ${retry}\n`);
      expect(r.stdout).toMatch(/\nfailed: wait-running\nrolled back: crystal-service-lb runs .*:1 again\n$/);
      // Once, in all the output: not on stdout as well, and no --from anywhere.
      expect(`${r.stdout}${r.stderr}`.split('meshctl rollout').length - 1).toBe(1);
      expect(r.stderr).not.toMatch(/--from wait-running\n/);
    } finally {
      await scheduler.stop();
    }
  });
});
