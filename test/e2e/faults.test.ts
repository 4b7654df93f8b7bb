import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { motoEnv, runCli } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { actAsEcsSchedulerForDeployment, CLUSTER, SERVICE, sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop();
let proxy: FaultProxy;
afterEach(async () => {
  await proxy?.close();
});

const revisions = () => env.revisions();

/** Plays the ECS scheduler (straight at moto, not through the proxy) once the service moves to a new revision. */
async function schedulerWhenServiceMoves(): Promise<void> {
  const { ecs } = sdkClients(env.moto.url);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
    if (svc.taskDefinition !== env.ws.taskDefinitionArn) return void (await actAsEcsSchedulerForDeployment(env.moto.url, env.ws));
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('rollout through a faulty network', () => {
  it('completes with 30% injected faults and registers exactly one new revision', async () => {
    proxy = await startFaultProxy(env.moto.url, [
      { kind: 'throttle', rate: 0.1 },
      { kind: '500', rate: 0.05 },
      { kind: '503', rate: 0.05 },
      { kind: 'reset', rate: 0.05 },
      { kind: 'reset-after', rate: 0.05 },
    ]);
    const [r] = await Promise.all([
      runCli(['rollout', '--json', '--interval', '2s', '--timeout', '90s', '--verify-timeout', '60s'], {
        cwd: env.ws.dir,
        env: motoEnv(proxy.url),
      }),
      schedulerWhenServiceMoves(),
    ]);
    // moto's SSM runs nothing, so verify is the one step that cannot pass here (it is mocked elsewhere).
    const out = JSON.parse(r.stdout);
    expect(
      out.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`),
      r.stderr,
    ).toEqual(['add-envoy:done', 'update-service:done', 'wait-running:done', 'verify:failed']);
    expect(out.error.message).toMatch(/the check printed no output/);
    // The faults fall on calls by a hash of (seed, operation, call number): the same run every time.
    expect(proxy.injected.length).toBeGreaterThan(0);
    expect(await revisions()).toHaveLength(2);
  }, 120_000);

  it('registers one revision when the answer to RegisterTaskDefinition is lost after the write', async () => {
    proxy = await startFaultProxy(env.moto.url, [{ kind: 'reset-after', rate: 1, operations: ['RegisterTaskDefinition'] }]);
    const r = await runCli(['add-envoy', '--json'], { cwd: env.ws.dir, env: motoEnv(proxy.url) });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).taskDefinitionArn).toMatch(/:2$/);
    expect(proxy.seen.get('RegisterTaskDefinition')).toBe(1);
    expect(await revisions()).toHaveLength(2);
  });

  // The default of 5 attempts is asserted on the client options (test/unit/client-config.test.ts);
  // here AWS_MAX_ATTEMPTS, as the SDKs read it, keeps the real backoff short.
  it('a fault that outlasts the retries ends with exit 3 naming the operation', async () => {
    proxy = await startFaultProxy(env.moto.url, [{ kind: 'throttle', rate: 1, operations: ['UpdateService'] }]);
    const r = await runCli(['update-service'], { cwd: env.ws.dir, env: motoEnv(proxy.url, { AWS_MAX_ATTEMPTS: '2' }) });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/error: UpdateService failed after 2 attempts: ThrottlingException \(HTTP 400\)/);
    expect(proxy.seen.get('UpdateService')).toBe(2);
  }, 60_000);

  it('a server that keeps failing a poll stops the wait with exit 3 after a few polls', async () => {
    proxy = await startFaultProxy(env.moto.url, [{ kind: '503', rate: 1, operations: ['ListTasks'] }]);
    const r = await runCli(['wait-running', '--count', '4', '--timeout', '5m'], {
      cwd: env.ws.dir,
      env: motoEnv(proxy.url, { AWS_MAX_ATTEMPTS: '2' }),
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/warning: a poll failed \(ServerException, 1 in a row\); polling on/);
    expect(r.stderr).toMatch(/error: ListTasks failed after 2 attempts/);
  }, 120_000);
});
