import { DescribeServicesCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { ListCommandsCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { interruptOnce, motoEnv, runCli, stderrMatches, type CliResult } from '../support/cli.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import {
  actAsEcsSchedulerForDeployment,
  actAsEcsStoppingAFailedTask,
  CLUSTER,
  FAMILY,
  SERVICE,
  sdkClients,
  serviceTasks,
} from '../support/workshop.js';

const env = useMotoWorkshop();

const { cli } = env;

/** Runs the CLI while the test plays the ECS scheduler once the service points at a new revision. */
async function whileSchedulerDeploys(args: string[]): Promise<CliResult> {
  const run = cli(args);
  const { ecs } = sdkClients(env.moto.url);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
    if (svc.taskDefinition !== env.ws.taskDefinitionArn) {
      await actAsEcsSchedulerForDeployment(env.moto.url, env.ws);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return run;
}

describe('update-service and wait-running against moto', () => {
  it("points the service at the family's latest revision, not cfn-output's :1", async () => {
    expect((await cli(['add-envoy'])).code).toBe(0);
    const r = await cli(['update-service', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.taskDefinitionArn).toMatch(new RegExp(`${FAMILY}:2$`));
    const svc = (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] })))
      .services![0]!;
    expect(svc.taskDefinition).toBe(out.taskDefinitionArn);
  });

  it('waits until the new revision has 3 RUNNING tasks', async () => {
    expect((await cli(['add-envoy'])).code).toBe(0);
    expect((await cli(['update-service'])).code).toBe(0);
    // The scheduler stand-in starts the new tasks once the wait has seen the old ones.
    const waiting = stderrMatches(/RUNNING/);
    const run = runCli(['wait-running', '--json', '--timeout', '30s'], {
      cwd: env.ws.dir,
      env: motoEnv(env.moto.url),
      onSpawn: waiting.onSpawn,
    });
    await waiting.seen;
    await actAsEcsSchedulerForDeployment(env.moto.url, env.ws);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, running: 3, wanted: 3, taskDefinitionArn: expect.stringMatching(/:2$/) });
    expect(r.stderr).toMatch(/crystal-service-lb: 0\/3 RUNNING \(3 old\)/);
  });

  it('times out with exit 1 when the tasks never come', async () => {
    expect((await cli(['update-service', '--task-definition', `${FAMILY}:1`])).code).toBe(0);
    const r = await cli(['wait-running', '--count', '4', '--timeout', '2s']);
    expect(r.code, r.stderr).toBe(1);
    // moto lists the deployment it made with the service (never rolled, still IN_PROGRESS) and writes no events.
    expect(r.stderr).toMatch(
      /error: timed out after 2s with 3\/4 RUNNING of .*:1\ndeployment ecs-svc\/\d+ \(PRIMARY\) rolloutState IN_PROGRESS: ECS deployment ecs-svc\/\d+ in progress\.\n/,
    );
    expect(r.stderr).toMatch(/\nno service events since the update started\nraise --timeout if tasks are still starting/);
    expect(r.stdout).toMatch(/3\/4 tasks of .*:1 RUNNING/);
    const json = await cli(['wait-running', '--count', '4', '--timeout', '2s', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, running: 3, wanted: 4, events: [], error: { kind: 'timeout' } });
  });

  it('fails at once with the stopped reason when a task of the new revision stops', async () => {
    expect((await cli(['add-envoy'])).code).toBe(0);
    expect((await cli(['update-service'])).code).toBe(0);
    // The task fails while meshctl waits, as it would when envoy never turns HEALTHY.
    const waiting = stderrMatches(/RUNNING/);
    const run = runCli(['wait-running', '--timeout', '60s'], { cwd: env.ws.dir, env: motoEnv(env.moto.url), onSpawn: waiting.onSpawn });
    await waiting.seen;
    await actAsEcsStoppingAFailedTask(env.moto.url, env.ws, 'Essential container in task exited');
    const r = await run;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /a task of .*:2 stopped while waiting\ndeployment: ECS lists none for .*:2\nstopped while waiting:\n {2}task [0-9a-f-]+ stopped: Essential container in task exited/,
    );
  });
});

describe('meshctl rollout against moto', () => {
  it('registers, deploys and waits; verify reports the empty answer of moto SSM with the resume command', async () => {
    const r = await whileSchedulerDeploys(['rollout', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, failedStep: 'verify' });
    expect(out.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`)).toEqual([
      'add-envoy:done',
      'update-service:done',
      'wait-running:done',
      'verify:failed',
    ]);
    expect(out.resumeCommand).toBe('meshctl rollout --json --from verify');
    expect(r.stderr).toMatch(/error: verify failed: the check printed no output/);
    expect(r.stderr).toMatch(/resume with: meshctl rollout --json --from verify/);
    const running = (await serviceTasks(env.moto.url)).filter((t) => t.lastStatus === 'RUNNING');
    expect(new Set(running.map((t) => t.taskDefinitionArn))).toEqual(new Set([out.addEnvoy.taskDefinitionArn]));
  });

  it('resumes from a step and registers no second revision', async () => {
    await whileSchedulerDeploys(['rollout']);
    const again = await cli(['rollout', '--from', 'wait-running', '--json']);
    expect(again.code, again.stderr).toBe(1);
    expect(JSON.parse(again.stdout).steps.map((s: { status: string }) => s.status)).toEqual(['skipped', 'skipped', 'done', 'failed']);
    const full = await cli(['rollout', '--json']);
    expect(JSON.parse(full.stdout).addEnvoy.action).toBe('unchanged');
    const revisions = await sdkClients(env.moto.url).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }));
    expect(revisions.taskDefinitionArns).toHaveLength(2);
  });

  it('stops at the first failing step and names it', async () => {
    const r = await cli(['rollout', '--virtual-node', 'missing-node']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/✖ add-envoy · virtual node "missing-node" does not exist/);
    expect(r.stderr).toMatch(/error: add-envoy failed: virtual node "missing-node" does not exist/);
    expect(r.stderr).toMatch(/resume with: meshctl rollout --virtual-node missing-node --from add-envoy/);
    expect(r.stdout).toMatch(/done: nothing\nfailed: add-envoy/);
  });
});

describe('meshctl verify against moto', () => {
  it('says what it saw when the answer has no server: envoy, and sends only quoted values', async () => {
    const r = await cli(['verify', '--path', "/crystal;$(id)'"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error: verify: the check printed no output/);
    expect(r.stdout).toMatch(/^FAILED: http:\/\/crystal\.appmeshworkshop\.hosted\.local:3000\/crystal;\$\(id\)' from i-[0-9a-f]+/);
    const sent = (await sdkClients(env.moto.url).ssm.send(new ListCommandsCommand({}))).Commands![0]!;
    expect(sent.DocumentName).toBe('AWS-RunShellScript');
    expect(sent.Parameters!.commands!.slice(0, 3)).toEqual([
      'host=crystal.appmeshworkshop.hosted.local',
      'port=3000',
      `path='/crystal;$(id)'\\'''`,
    ]);
  });
});

describe('interruption', () => {
  it('SIGINT during wait-running exits 130 and prints the command to resume', async () => {
    const r = await runCli(['wait-running', '--count', '4', '--timeout', '5m'], {
      cwd: env.ws.dir,
      env: motoEnv(env.moto.url),
      // Once the wait has polled and found 3 of 4.
      onSpawn: interruptOnce(/3\/4 RUNNING/),
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/SIGINT: stopping at the next safe point/);
    expect(r.stderr).toMatch(/error: interrupted/);
    expect(r.stderr).toMatch(/run it again to resume: meshctl wait-running --count 4 --timeout 5m/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('SIGTERM during a rollout says what was done and resumes from the interrupted step', async () => {
    const r = await runCli(['rollout', '--json'], {
      cwd: env.ws.dir,
      env: motoEnv(env.moto.url),
      onSpawn: (child) => {
        // Once update-service is done, the wait starts: stop it there.
        let err = '';
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          if (/✔ update-service/.test(err) && !child.killed) child.kill('SIGTERM');
        });
      },
    });
    expect(r.code, r.stderr).toBe(130);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, failedStep: 'wait-running', resumeCommand: 'meshctl rollout --json --from wait-running' });
    expect(out.steps.filter((s: { status: string }) => s.status === 'done').map((s: { step: string }) => s.step)).toEqual([
      'add-envoy',
      'update-service',
    ]);
    expect(r.stderr).toMatch(/error: interrupted during wait-running/);
    // Resuming registers no second revision.
    const resumed = await whileSchedulerDeploys(['rollout', '--from', 'wait-running', '--json']);
    expect(JSON.parse(resumed.stdout).steps.map((s: { status: string }) => s.status)).toEqual(['skipped', 'skipped', 'done', 'failed']);
    const revisions = await sdkClients(env.moto.url).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }));
    expect(revisions.taskDefinitionArns).toHaveLength(2);
  });
});
