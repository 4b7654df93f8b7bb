import { DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ListCommandsCommand } from '@aws-sdk/client-ssm';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { FAMILY, SERVICE, sdkClients, seedMoreServices } from '../support/workshop.js';

const env = useMotoWorkshop();
const { cli } = env;

/** An endpoint that refuses every connection: App Mesh "unreachable" as after its end. One attempt, so it fails at once. */
const NO_APP_MESH = { AWS_ENDPOINT_URL_APP_MESH: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' };

const ssmCommands = async () => (await sdkClients(env.moto.url).ssm.send(new ListCommandsCommand({}))).Commands ?? [];

describe('add-envoy --dry-run says what the real run would', () => {
  it('a missing virtual node: the same exit code and message as the real run, nothing registered', async () => {
    const dry = await cli(['add-envoy', '--virtual-node', 'nope', '--dry-run']);
    const real = await cli(['add-envoy', '--virtual-node', 'nope']);
    expect(real.code, real.stderr).toBe(1);
    expect(dry.code, dry.stderr).toBe(real.code);
    expect(dry.stderr).toMatch(/error: virtual node "nope" does not exist in mesh "appmesh-workshop"; nothing was registered/);
    expect(dry.stderr).toBe(real.stderr);
    expect(dry.stdout).not.toMatch(/would register/);
    expect(await env.revisions()).toHaveLength(1);
  });

  it('App Mesh unreachable: the same exit code and message as the real run', async () => {
    const dry = await cli(['add-envoy', '--dry-run', '--json'], NO_APP_MESH);
    const real = await cli(['add-envoy', '--json'], NO_APP_MESH);
    expect(real.code, real.stderr).toBe(3);
    expect(dry.code, dry.stderr).toBe(3);
    expect(JSON.parse(dry.stdout).error).toEqual(JSON.parse(real.stdout).error);
    expect(JSON.parse(dry.stdout).error.operation).toBe('DescribeVirtualNode');
    // --skip-mesh-check is the way past it, for both.
    const skipped = await cli(['add-envoy', '--dry-run', '--skip-mesh-check', '--json'], NO_APP_MESH);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ action: 'dry-run', meshCheck: 'skipped' });
    expect(await env.revisions()).toHaveLength(1);
  });

  it("predicts the revision the real run registers, past a deregistered one; the JSON matches add-envoy's schema", async () => {
    const { ecs } = sdkClients(env.moto.url);
    // :2 registered and deregistered: the family's latest ACTIVE revision is :1 again, but :2 is taken.
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: FAMILY }))).taskDefinition!;
    const copy = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        containerDefinitions: td.containerDefinitions,
        networkMode: td.networkMode,
        requiresCompatibilities: td.requiresCompatibilities,
        cpu: td.cpu,
        memory: td.memory,
      }),
    );
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: copy.taskDefinition!.taskDefinitionArn! }));
    const args = ['add-envoy', '--dry-run', '--json'];
    const dry = await cli(args);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = expectJsonMatchesSchema(args, dry.stdout) as Record<string, unknown>;
    // moto describes a bare family as its latest revision even when INACTIVE (AWS: the latest ACTIVE one); :3 either way.
    expect(plan).toMatchObject({ action: 'dry-run', meshCheck: 'passed', sourceTaskDefinitionArn: expect.stringMatching(/:[12]$/) });
    expect(plan.nextTaskDefinitionArn).toMatch(new RegExp(`:task-definition/${FAMILY}:3$`));
    expect(dry.stdout).not.toContain('registered ');
    const text = await cli(['add-envoy', '--dry-run']);
    expect(text.stdout).toMatch(
      new RegExp(`^dry run: would register ${FAMILY}:3 \\(from ${FAMILY}:[12]; its virtual node exists\\); nothing registered`),
    );
    expect(await env.revisions()).toHaveLength(1);
    const real = await cli(['add-envoy', '--json']);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).taskDefinitionArn).toBe(plan.nextTaskDefinitionArn);
  });
  it('--from-file --dry-run stays offline: the virtual node is not checked, and it says so', async () => {
    const td = await sdkClients(env.moto.url).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: FAMILY, include: ['TAGS'] }));
    const file = join(env.ws.dir, 'td.json');
    writeFileSync(file, JSON.stringify(td));
    // An endpoint that answers nothing: any AWS call would fail.
    const args = ['add-envoy', '--from-file', file, '--dry-run', '--virtual-node', 'nope', '--json'];
    const r = await runCli(args, { cwd: env.ws.dir, env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(r.code, r.stderr).toBe(0);
    expect(expectJsonMatchesSchema(args, r.stdout)).toMatchObject({ action: 'dry-run', meshCheck: 'offline', nextTaskDefinitionArn: null });
    expect(r.stderr).toMatch(/note: virtual node "nope" in mesh "appmesh-workshop" not checked: --from-file --dry-run calls no AWS/);
    const text = await runCli(args.slice(0, -1), { cwd: env.ws.dir, env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(text.stdout).toMatch(
      /^dry run: would register a new revision of \S+ \(from \S+:1; virtual node not checked: --from-file --dry-run calls no AWS/,
    );
  });

  it('from an older revision named as family:1, the prediction counts past the newer ones', async () => {
    expect((await cli(['add-envoy', '--skip-mesh-check', '--virtual-node', 'other'])).code).toBe(0); // :2
    const dry = await cli(['add-envoy', '--task-definition', `${FAMILY}:1`, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const next = JSON.parse(dry.stdout).nextTaskDefinitionArn;
    expect(next).toMatch(new RegExp(`/${FAMILY}:3$`));
    const real = await cli(['add-envoy', '--task-definition', `${FAMILY}:1`, '--json']);
    expect(JSON.parse(real.stdout).taskDefinitionArn).toBe(next);
  });
});

describe('rollout --dry-run', () => {
  it("makes the reads, registers and updates nothing, sends no SSM command, prints each step's plan; the real run then registers the planned revision", async () => {
    const before = await env.revisions();
    const running = await env.serviceRevision();
    const args = ['rollout', '--dry-run', '--json'];
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(0);
    const out = expectJsonMatchesSchema(args, r.stdout) as {
      dryRun: boolean;
      steps: { step: string; status: string; detail: string }[];
      plan: Record<string, Record<string, unknown>>;
      updateService: unknown;
      waitRunning: unknown;
      verify: unknown;
    };
    expect(out.dryRun).toBe(true);
    expect(out.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'add-envoy:planned',
      'update-service:planned',
      'wait-running:planned',
      'verify:planned',
    ]);
    const next = `${FAMILY}:2`;
    expect(out.plan.addEnvoy).toMatchObject({
      action: 'register',
      meshCheck: 'passed',
      taskDefinitionArn: expect.stringMatching(`/${next}$`),
    });
    expect(out.plan.updateService).toMatchObject({
      service: SERVICE,
      currentTaskDefinitionArn: running,
      taskDefinitionArn: out.plan.addEnvoy!.taskDefinitionArn,
      desiredCount: 3,
    });
    expect(out.plan.waitRunning).toEqual({ taskDefinitionArn: out.plan.addEnvoy!.taskDefinitionArn, wanted: 3, timeoutMs: 600_000 });
    expect(out.plan.verify).toMatchObject({
      instanceId: expect.stringMatching(/^i-[0-9a-f]+$/),
      url: 'http://crystal.appmeshworkshop.hosted.local:3000/crystal',
      expectHeader: 'server=envoy',
    });
    // Nothing ran: no step's result, only plans.
    expect([out.updateService, out.waitRunning, out.verify]).toEqual([null, null, null]);
    expect(await env.revisions()).toEqual(before);
    expect(await env.serviceRevision()).toBe(running);
    expect(await ssmCommands()).toEqual([]);

    const text = await cli(['rollout', '--dry-run']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^dry run of crystal-service-lb: nothing registered, updated or sent$/m);
    expect(text.stdout).toMatch(new RegExp(`^  add-envoy: would register ${next} \\(from ${FAMILY}:1; its virtual node exists\\)$`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^  update-service: would point ${SERVICE} at ${next} \\(now ${FAMILY}:1\\)$`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^  wait-running: would wait up to 10m00s for 3 tasks of ${next} to be RUNNING$`, 'm'));
    expect(text.stdout).toMatch(
      /^ {2}verify: would curl http:\/\/crystal\.appmeshworkshop\.hosted\.local:3000\/crystal from instance i-[0-9a-f]+ through SSM, expecting server: envoy$/m,
    );

    // The real run registers the revision the plan named (its verify ends at moto's empty SSM answer).
    const real = await env.withScheduler(() =>
      cli(['rollout', '--json', '--interval', '1s', '--timeout', '30s', '--verify-timeout', '5s']),
    );
    const done = JSON.parse(real.stdout);
    expect(
      done.steps.slice(0, 3).map((s: { status: string }) => s.status),
      real.stderr,
    ).toEqual(['done', 'done', 'done']);
    expect(done.addEnvoy.taskDefinitionArn).toBe(out.plan.addEnvoy!.taskDefinitionArn);
    expect(done.updateService.taskDefinitionArn).toBe(out.plan.updateService!.taskDefinitionArn);
    expect(done.waitRunning.wanted).toBe(out.plan.waitRunning!.wanted);
  });

  it('a check that would stop the real run stops the dry run with its exit code and message', async () => {
    const args = ['rollout', '--virtual-node', 'nope'];
    const dry = await cli([...args, '--dry-run']);
    const real = await cli(args);
    expect(real.code).toBe(1);
    expect(dry.code, dry.stderr).toBe(1);
    const message = (r: { stderr: string }) => r.stderr.match(/^error: .*$/m)?.[0];
    expect(message(dry)).toMatch(/^error: add-envoy failed: virtual node "nope" does not exist in mesh "appmesh-workshop"/);
    expect(message(dry)).toBe(message(real));
    expect(dry.stdout).toMatch(/^dry run, planned: nothing$/m);
    expect(await env.revisions()).toHaveLength(1);
  });

  it('--from update-service plans the family latest revision; the skipped step has no plan', async () => {
    const args = ['rollout', '--dry-run', '--from', 'update-service', '--instance-id', 'i-0123456789abcdef0', '--json'];
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(0);
    const out = expectJsonMatchesSchema(args, r.stdout) as {
      steps: { status: string }[];
      plan: Record<string, Record<string, unknown> | null>;
    };
    expect(out.steps.map((s) => s.status)).toEqual(['skipped', 'planned', 'planned', 'planned']);
    expect(out.plan.addEnvoy).toBeNull();
    expect(out.plan.updateService).toMatchObject({ taskDefinitionArn: expect.stringMatching(`/${FAMILY}:1$`) });
    expect(out.plan.verify).toMatchObject({ instanceId: 'i-0123456789abcdef0' });
  });

  it('--all-services: a plan per service, the unchanged and the failing ones as the real run reports them; nothing changed', async () => {
    await env.seeded('orders,payments,nomesh', async (url, ws) => {
      await seedMoreServices(url, ws, ['orders', 'payments']);
      await seedMoreServices(url, ws, ['nomesh'], { virtualNodes: false });
    });
    expect((await cli(['add-envoy'])).code).toBe(0); // crystal-service-lb's family now has envoy
    const families = ['orders-task', 'payments-task', 'nomesh-task'];
    const before = await Promise.all(families.map((f) => env.revisions(f)));
    const running = await Promise.all(['orders', 'payments', 'nomesh'].map((s) => env.serviceRevision(s)));
    const args = ['rollout', '--all-services', '--dry-run', '--host', '{service}.local', '--json'];
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(1);
    const out = expectJsonMatchesSchema(args, r.stdout) as {
      dryRun: boolean;
      summary: string;
      services: {
        service: string;
        status: string;
        failedStep?: string;
        error?: string;
        plan: Record<string, Record<string, unknown> | null>;
      }[];
    };
    expect(out.dryRun).toBe(true);
    const by = Object.fromEntries(out.services.map((s) => [s.service, s]));
    expect(Object.fromEntries(out.services.map((s) => [s.service, `${s.status}${s.failedStep ? `@${s.failedStep}` : ''}`]))).toEqual({
      'crystal-service-lb': 'unchanged',
      orders: 'planned',
      payments: 'planned',
      nomesh: 'failed@add-envoy',
    });
    expect(by.nomesh!.error).toMatch(/virtual node "nomesh" does not exist/);
    for (const s of ['orders', 'payments']) {
      expect(by[s]!.plan.addEnvoy).toMatchObject({ action: 'register', taskDefinitionArn: expect.stringMatching(`/${s}-task:2$`) });
      expect(by[s]!.plan.updateService).toMatchObject({ service: s, taskDefinitionArn: by[s]!.plan.addEnvoy!.taskDefinitionArn });
      expect(by[s]!.plan.waitRunning).toMatchObject({ wanted: 3 });
      expect(by[s]!.plan.verify).toMatchObject({ url: `http://${s}.local:3000/crystal` });
    }
    expect(by['crystal-service-lb']!.plan.addEnvoy).toMatchObject({ action: 'unchanged' });
    expect(out.summary).toMatch(/^dry run: 2 would be rolled out, 1 already had envoy, 1 failed, 0 not started \(of 4\)$/);
    expect(await Promise.all(families.map((f) => env.revisions(f)))).toEqual(before);
    expect(await Promise.all(['orders', 'payments', 'nomesh'].map((s) => env.serviceRevision(s)))).toEqual(running);
    expect(await ssmCommands()).toEqual([]);

    const text = await cli(['rollout', '--all-services', '--dry-run']);
    expect(text.stdout).toMatch(
      /^orders: planned\n {2}add-envoy: would register orders-task:2 \(from orders-task:1; its virtual node exists\)\n/m,
    );
    expect(text.stdout).toMatch(/^ {2}verify: not checked: pass --host to verify each service$/m);
  });
});
