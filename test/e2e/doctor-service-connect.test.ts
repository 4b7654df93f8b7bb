import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import { motoEnv, runCli } from '../support/cli.js';
import { seedClusterWorld } from '../support/cluster-world.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { actAsEcsSchedulerWhileRunning, CLUSTER, sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop({ managedPolicies: true });
beforeEach(async () => {
  await seedClusterWorld(env.moto.url, env.ws);
});
const cli = (args: string[], url = env.moto.url) => runCli(args, { cwd: env.ws.dir, env: motoEnv(url) });

describe('explore', () => {
  it('x', async () => {
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      const r = await cli(['migrate', 'apply', '--service', 'payments', '--interval', '1s', '--timeout', '30s', '--json']);
      console.log(r.code, r.stdout, r.stderr);
    } finally {
      await scheduler.stop();
    }
    const s = (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['payments'] })))
      .services![0]!;
    console.log(JSON.stringify(s, null, 1));
    const td = await sdkClients(env.moto.url).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition }));
    console.log(JSON.stringify(td.taskDefinition, null, 1));
    const d = await cli(['doctor', '--service', 'payments', '--json']);
    console.log(d.code, d.stdout, d.stderr);
    expect(1).toBe(1);
  });
});
