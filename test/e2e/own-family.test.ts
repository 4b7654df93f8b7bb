import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { useMotoWorkshop } from '../support/moto-workshop.js';
import { actAsEcsSchedulerWhileRunning, FAMILY, seedMoreServices } from '../support/workshop.js';

const env = useMotoWorkshop();

// Every command runs in the folder that holds the workshop's cfn-output.json, whose CrystalTaskDefinition
// names crystal's family: a service other than crystal's must still get its own family.
const { cli } = env;

describe("a service's task definition is its own", () => {
  it('update-service --service orders deploys orders-task, not the workshop family', async () => {
    await env.seeded('orders', (url, ws) => seedMoreServices(url, ws, ['orders']));
    const r = await cli(['update-service', '--service', 'orders', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).taskDefinitionArn).toMatch(/task-definition\/orders-task:1$/);
  });

  it('rollout --service orders renders envoy into orders-task and deploys it', async () => {
    await env.seeded('orders', (url, ws) => seedMoreServices(url, ws, ['orders']));
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      const r = await cli(['rollout', '--service', 'orders', '--virtual-node', 'orders', '--interval', '1s', '--timeout', '30s', '--json']);
      const out = JSON.parse(r.stdout);
      expect(out.addEnvoy.family).toBe('orders-task');
      expect(out.updateService.taskDefinitionArn).toMatch(/orders-task:2$/);
      expect(out.waitRunning.taskDefinitionArn).toMatch(/orders-task:2$/);
    } finally {
      await scheduler.stop();
    }
  });

  it('rollout --from update-service --service orders resumes with orders-task', async () => {
    await env.seeded('orders', (url, ws) => seedMoreServices(url, ws, ['orders']));
    const r = await cli(['rollout', '--service', 'orders', '--from', 'update-service', '--timeout', '1s', '--json']);
    expect(JSON.parse(r.stdout).updateService.taskDefinitionArn).toMatch(/orders-task:1$/);
  });

  it('wait-running, rollback, doctor and migrate plan read the named service, not the workshop family', async () => {
    await env.seeded('orders', (url, ws) => seedMoreServices(url, ws, ['orders']));
    const wait = await cli(['wait-running', '--service', 'orders', '--timeout', '5s', '--json']);
    expect(wait.code, wait.stderr).toBe(0);
    expect(JSON.parse(wait.stdout).taskDefinitionArn).toMatch(/orders-task:1$/);
    const rollback = await cli(['rollback', '--service', 'orders', '--json']);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(/no revision before .*orders-task:1/);
    const doctor = await cli(['doctor', '--service', 'orders', '--json']);
    expect(JSON.parse(doctor.stdout).service).toBe('orders');
    expect(doctor.stdout).not.toContain(FAMILY);
    const plan = await cli(['migrate', 'plan', '--service', 'orders', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    // orders runs no envoy: nothing to migrate, and the plan speaks of orders alone.
    expect(JSON.parse(plan.stdout).services).toEqual([expect.objectContaining({ service: 'orders', status: 'not-in-mesh' })]);
  });

  it("refuses (exit 2) a cfn-output family that is not the workshop service's own, unless --task-definition names it", async () => {
    await env.seeded('orders', (url, ws) => seedMoreServices(url, ws, ['orders']));
    writeFileSync(
      join(env.ws.dir, 'other.json'),
      JSON.stringify({ CrystalTaskDefinition: 'orders-task:1', EcsClusterName: 'appmesh-workshop' }),
    );
    const r = await cli(['update-service', '--cfn-output', 'other.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /CrystalTaskDefinition is family "orders-task", but service "crystal-service-lb" runs family "appmesh-workshop-crystal-lb-vanilla"; pass --task-definition/,
    );
    const explicit = await cli(['update-service', '--cfn-output', 'other.json', '--task-definition', 'orders-task', '--json']);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(JSON.parse(explicit.stdout).taskDefinitionArn).toMatch(/orders-task:1$/);
  });
});
