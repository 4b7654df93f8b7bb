import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { motoEnv, runCli } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { actAsEcsSchedulerForDeployment, seedMoreServices } from '../support/workshop.js';

const env = useMotoWorkshop();
let proxy: FaultProxy;
afterEach(async () => {
  await proxy?.close();
});

const revisions = () => env.revisions();

/** Sends `signal` once stderr shows `marker`; slow answers (the proxy's latency) keep the step busy meanwhile. */
const signalAt = (marker: RegExp, signal: NodeJS.Signals) => (child: ChildProcess) => {
  let err = '';
  let sent = false;
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (!sent && marker.test(err)) {
      sent = true;
      child.kill(signal);
    }
  });
};

describe('Ctrl-C or SIGTERM at each step of rollout', () => {
  it.each([
    ['add-envoy', 'DescribeTaskDefinition', /▸ add-envoy/, 'add-envoy', [] as string[]],
    ['update-service', 'UpdateService', /▸ update-service/, 'wait-running', ['add-envoy', 'update-service']],
    ['verify', 'SendCommand', /▸ verify/, 'verify', ['add-envoy', 'update-service', 'wait-running']],
  ])(
    'during %s: exit 130, what was done, and a resume that registers no second revision',
    async (step, slowOperation, marker, resumeFrom, done) => {
      proxy = await startFaultProxy(env.moto.url, [{ kind: 'latency', rate: 1, operations: [slowOperation], latencyMs: 1500 }]);
      const scheduler = (async () => {
        // For the verify case the wait has to pass: play the scheduler once the service moves.
        if (step !== 'verify') return;
        for (let i = 0; i < 100 && (await revisions()).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
        await new Promise((r) => setTimeout(r, 300));
        if ((await revisions()).length === 2) await actAsEcsSchedulerForDeployment(env.moto.url, env.ws);
      })();
      const r = await runCli(['rollout', '--json', '--interval', '1s'], {
        cwd: env.ws.dir,
        env: motoEnv(proxy.url),
        onSpawn: signalAt(marker, 'SIGINT'),
      });
      await scheduler;
      expect(r.code, r.stderr).toBe(130);
      const out = JSON.parse(r.stdout);
      expect(out.failedStep).toBe(resumeFrom);
      expect(out.steps.filter((s: { status: string }) => s.status === 'done').map((s: { step: string }) => s.step)).toEqual(done);
      expect(out.resumeCommand).toBe(`meshctl rollout --json --interval 1s --from ${resumeFrom}`);
      expect(r.stderr).toMatch(new RegExp(`error: interrupted during ${resumeFrom}`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const registeredBefore = (await revisions()).length;
      expect(registeredBefore).toBe(done.includes('add-envoy') ? 2 : 1);
      // Resume, as printed: it must not register a second envoy revision.
      const resumed = await runCli(['rollout', '--json', '--from', resumeFrom, '--timeout', '2s'], {
        cwd: env.ws.dir,
        env: motoEnv(env.moto.url),
      });
      expect(JSON.parse(resumed.stdout).steps.find((s: { status: string }) => s.status !== 'skipped').step).toBe(resumeFrom);
      expect(await revisions()).toHaveLength(2);
    },
    60_000,
  );
});

describe('Ctrl-C in a rollout of several services', () => {
  const SERVICES = ['orders', 'payments', 'products'];
  const args = [...SERVICES.flatMap((s) => ['--service', s]), '--concurrency', '2', '--interval', '1s', '--timeout', '30s'];
  // The services that did not finish come last, each named.
  const resume = (extra = '') =>
    `meshctl rollout --concurrency 2 --interval 1s --timeout 30s${extra} ${SERVICES.map((s) => `--service ${s}`).join(' ')}`;

  it('prints one resume command, once; with --json the same one on stdout and stderr', async () => {
    await env.seeded('orders,payments,products', (url, ws) => seedMoreServices(url, ws, SERVICES));
    // No scheduler: the waits go on until the signal.
    const text = await runCli(['rollout', ...args], {
      cwd: env.ws.dir,
      env: motoEnv(env.moto.url),
      onSpawn: signalAt(/RUNNING/, 'SIGINT'),
    });
    expect(text.code, text.stderr).toBe(130);
    expect(`${text.stdout}${text.stderr}`.split('meshctl rollout').length - 1).toBe(1);
    expect(text.stderr).toContain(`resume with: ${resume()}\n`);
    expect(text.stdout).toMatch(/^products: not-started$/m);
    const json = await runCli(['rollout', ...args, '--json'], {
      cwd: env.ws.dir,
      env: motoEnv(env.moto.url),
      onSpawn: signalAt(/RUNNING/, 'SIGINT'),
    });
    expect(json.code, json.stderr).toBe(130);
    const out = JSON.parse(json.stdout);
    expect(out.resumeCommand).toBe(resume(' --json'));
    expect(json.stderr.split('meshctl rollout').length - 1).toBe(1);
    expect(json.stderr).toContain(`resume with: ${out.resumeCommand}\n`);
    expect(out.services.map((s: { events: unknown[] }) => s.events)).toEqual([[], [], []]);
  }, 60_000);
});
