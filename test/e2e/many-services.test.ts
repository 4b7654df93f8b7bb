import { describe, expect, it } from 'vitest';

import { useMotoWorkshop } from '../support/moto-workshop.js';
import { actAsEcsSchedulerWhileRunning, seedMoreServices } from '../support/workshop.js';

const env = useMotoWorkshop();

const { cli } = env;

describe('rollout of several services', () => {
  it('rolls out each named service side by side, one JSON result per service', async () => {
    await env.seeded('orders,payments,products', (url, ws) => seedMoreServices(url, ws, ['orders', 'payments', 'products']));
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      const r = await cli([
        'rollout',
        '--service',
        'orders',
        '--service',
        'payments',
        '--service',
        'products',
        '--concurrency',
        '2',
        '--interval',
        '1s',
        '--timeout',
        '30s',
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.ok).toBe(true);
      expect(out.services.map((s: { service: string; status: string }) => `${s.service}:${s.status}`)).toEqual([
        'orders:done',
        'payments:done',
        'products:done',
      ]);
      expect(out.services[0].taskDefinitionArn).toMatch(/orders-task:2$/);
      // Without --host there is nothing to curl for each service: verify is skipped, and says so.
      expect(out.services[0].steps[3]).toMatchObject({
        step: 'verify',
        status: 'skipped',
        detail: expect.stringMatching(/not checked: pass --host/),
      });
      expect(r.stderr).toMatch(/^orders: ✔ wait-running · 3\/3 RUNNING$/m);
      // A neutral mark, not a success tick, for the check that did not run.
      expect(r.stderr).toMatch(/^orders: – verify · not checked: pass --host to verify each service$/m);
      expect(r.stderr).not.toMatch(/✔ verify/);
    } finally {
      await scheduler.stop();
    }
  });

  it('--all-services skips services that have envoy; a failed one does not stop the others and sets the exit code', async () => {
    await env.seeded('orders,payments,nomesh', async (url, ws) => {
      await seedMoreServices(url, ws, ['orders', 'payments']);
      await seedMoreServices(url, ws, ['nomesh'], { virtualNodes: false });
    });
    expect((await cli(['add-envoy'])).code).toBe(0); // crystal-service-lb's family now has envoy
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      const r = await cli(['rollout', '--all-services', '--interval', '1s', '--timeout', '30s', '--host', '{service}.local', '--json']);
      expect(r.code, r.stderr).toBe(1);
      const out = JSON.parse(r.stdout);
      const status = Object.fromEntries(
        out.services.map((s: { service: string; status: string; failedStep?: string }) => [
          s.service,
          `${s.status}${s.failedStep ? `@${s.failedStep}` : ''}`,
        ]),
      );
      // moto's SSM runs nothing, so verify reports an empty answer for each rolled-out service.
      expect(status).toEqual({
        'crystal-service-lb': 'unchanged',
        orders: 'failed@verify',
        payments: 'failed@verify',
        nomesh: 'failed@add-envoy',
      });
      expect(out.services.find((s: { service: string }) => s.service === 'nomesh').error).toMatch(/virtual node "nomesh" does not exist/);
      expect(out.resumeCommand).toMatch(
        /^meshctl rollout --interval 1s --timeout 30s --host '\{service\}\.local' --json( --service (orders|payments|nomesh)){3}$/,
      );
      expect(new Set(out.resumeCommand.match(/--service (\w+)/g))).toEqual(
        new Set(['--service orders', '--service payments', '--service nomesh']),
      );
    } finally {
      await scheduler.stop();
    }
  });

  it('rejects --all-services with --service', async () => {
    const r = await cli(['rollout', '--all-services', '--service', 'a']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--all-services and --service both choose the services/);
  });
});
