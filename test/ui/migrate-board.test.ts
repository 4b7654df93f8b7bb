import {
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { DeleteRolePolicyCommand, DetachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { pairMark, type Pair } from '../../src/core/migrate/blue-green.js';
import type { CleanupPlan } from '../../src/core/migrate/cleanup-plan.js';
import type { ClusterPlan, ServicePlan } from '../../src/core/migrate/types.js';
import type { Context } from '../../src/runtime/context.js';
import { runAbort } from '../../src/steps/blue-green-end.js';
import type { PairFacts } from '../../src/steps/blue-green-pair.js';
import { runCleanup } from '../../src/steps/migrate-cleanup.js';
import { applyClusterPlan } from '../../src/steps/migrate-cluster.js';
import { createUi } from '../../src/ui/output.js';
import { captureStream, fakeClock, mockedAwsClients } from '../support/fake-deps.js';
import { renderScreen } from '../support/screen.js';

// migrate apply, abort and cleanup draw every service on the one board rollout uses: piped (CI, --json
// off a terminal) a `service: state` line per change; in a terminal one line per service, rewritten.
const ecs = mockClient(ECSClient);
const iam = mockClient(IAMClient);
const CLUSTER = 'shop';
const arn = (family: string, rev: number) => `arn:aws:ecs:us-west-2:123456789012:task-definition/${family}:${rev}`;
const input = (family: string): RegisterTaskDefinitionCommandInput => ({
  family,
  networkMode: 'awsvpc',
  containerDefinitions: [{ name: 'app', image: `${family}:1`, essential: true }],
});
const servicePlan = (service: string): ServicePlan => ({
  service,
  status: 'migrate',
  namespaceExists: true,
  listeners: [],
  backends: [],
  findings: [],
  taskDefinition: input(service),
  sourceOf: [],
});
/** payments serves orders: payments in wave 1, orders in wave 2. */
const plan: ClusterPlan = {
  waves: [
    { wave: 1, services: ['payments'] },
    { wave: 2, services: ['orders'] },
  ],
  services: [servicePlan('payments'), { ...servicePlan('orders'), backends: [{ name: 'payments.local', servedBy: 'payments' }] }],
  findings: [],
  ok: true,
};

function context(terminal = false) {
  const stderr = Object.assign(captureStream(), { columns: 200, rows: 40 });
  const ui = createUi(
    { stderrIsTTY: terminal, ci: !terminal, json: false, color: false, verbose: false },
    { stdout: captureStream(), stderr },
  );
  const ctx = {
    ui,
    aws: mockedAwsClients(),
    clock: fakeClock(),
    signal: new AbortController().signal,
    checkpoint() {},
  } as unknown as Context;
  return { ctx, stderr };
}

/** Each family's latest revision already is the migrated one (reused, not registered); each service's task runs it. */
function migratedWorld(families = ['payments', 'orders']) {
  for (const family of families)
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: family })
      .resolves({ taskDefinition: { ...input(family), taskDefinitionArn: arn(family, 2), revision: 2, status: 'ACTIVE' } });
  for (const service of families)
    ecs
      .on(UpdateServiceCommand, { service })
      .resolves({ service: { serviceName: service, taskDefinition: arn(service, 2), desiredCount: 1 } });
  ecs.on(ListTasksCommand).resolves({ taskArns: families.map((f) => `t/${f}`) });
  ecs.on(DescribeTasksCommand).resolves({
    tasks: families.map((s) => ({
      taskArn: `t/${s}`,
      group: `service:${s}`,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      taskDefinitionArn: arn(s, 2),
    })),
  });
}

const applyOpts = {
  cluster: CLUSTER,
  concurrency: 4,
  wait: { intervalMs: 1000, timeoutMs: 60_000 },
  createNamespaces: [],
  current: new Map([
    ['payments', arn('payments', 1)],
    ['orders', arn('orders', 1)],
  ]),
};

beforeEach(() => {
  ecs.reset();
  iam.reset();
});

describe('migrate apply on the board', () => {
  it('piped: a line per change, each headed by its service, the wait’s progress on the service’s own line', async () => {
    migratedWorld();
    const { ctx, stderr } = context();
    const results = await applyClusterPlan(ctx, plan, applyOpts);
    expect(results.map((r) => `${r.service}:${r.status}`)).toEqual(['payments:migrated', 'orders:migrated']);
    expect(stderr.text().split('\n').filter(Boolean)).toEqual([
      'payments: ▸ wave 1 · register',
      'payments: ▸ wave 1 · update-service: payments:2 with Service Connect',
      'payments: ▸ wave 1: wait-running · payments:2',
      // Its clock is the wait's own (not asserted).
      expect.stringMatching(/^payments: ▸ wave 1: wait-running: 1\/1 RUNNING · /),
      'payments: ✔ wave 1 · runs payments:2 on Service Connect',
      'orders: ▸ wave 2 · register',
      'orders: ▸ wave 2 · update-service: orders:2 with Service Connect',
      'orders: ▸ wave 2: wait-running · orders:2',
      // Its clock is the wait's own (not asserted).
      expect.stringMatching(/^orders: ▸ wave 2: wait-running: 1\/1 RUNNING · /),
      'orders: ✔ wave 2 · runs orders:2 on Service Connect',
    ]);
  });

  it('in a terminal: one line per service, in the order of the waves, each in its last state', async () => {
    migratedWorld();
    const { ctx, stderr } = context(true);
    await applyClusterPlan(ctx, plan, applyOpts);
    expect(renderScreen(stderr.text()).filter(Boolean)).toEqual([
      'payments  ✔ wave 1 · runs payments:2 on Service Connect',
      'orders    ✔ wave 2 · runs orders:2 on Service Connect',
    ]);
  });

  it('a failed wave leaves the services of the next waves on the board as not started', async () => {
    migratedWorld();
    ecs
      .on(UpdateServiceCommand, { service: 'payments' })
      .rejects(Object.assign(new Error('no such service'), { name: 'ServiceNotFoundException' }));
    const { ctx, stderr } = context(true);
    const results = await applyClusterPlan(ctx, plan, applyOpts);
    expect(results.map((r) => `${r.service}:${r.status}`)).toEqual(['payments:failed', 'orders:not-started']);
    const screen = renderScreen(stderr.text()).filter(Boolean);
    expect(screen).toHaveLength(2);
    expect(screen[0]).toMatch(/^payments {2}✖ wave 1 · .*no such service/);
    expect(screen[1]).toBe('orders    – not started (an earlier wave did not get there)');
  });
});

/** A pair without a load balancer or record: green is meshctl's (its mark), and abort deletes it. */
function pairFacts(blue: string): PairFacts {
  const green = `${blue}-sc`;
  const pair: Pair = { cluster: CLUSTER, blue, green };
  const greenArn = `arn:aws:ecs:us-west-2:123456789012:service/${CLUSTER}/${green}`;
  ecs
    .on(DescribeServicesCommand, { services: [green] })
    .resolves({ services: [{ serviceName: green, serviceArn: greenArn, status: 'ACTIVE' }] });
  ecs
    .on(ListTagsForResourceCommand, { resourceArn: greenArn })
    .resolves({ tags: Object.entries(pairMark(pair)).map(([key, value]) => ({ key, value })) });
  return { service: blue, green, state: 'green-starting', pair, greenService: { serviceName: green } } as PairFacts;
}

describe('migrate apply in place: each service starts once its own servers run', () => {
  it("a client starts when its server's new tasks run, while another service of the server's wave still rolls", async () => {
    // ledger (wave 1) hangs in its UpdateService until released; orders calls payments only.
    migratedWorld(['payments', 'orders', 'ledger']);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    ecs.on(UpdateServiceCommand, { service: 'ledger' }).callsFake(async () => {
      await held;
      return { service: { serviceName: 'ledger', taskDefinition: arn('ledger', 2), desiredCount: 1 } };
    });
    const three: ClusterPlan = {
      ...plan,
      waves: [
        { wave: 1, services: ['ledger', 'payments'] },
        { wave: 2, services: ['orders'] },
      ],
      services: [...plan.services, servicePlan('ledger')],
    };
    const { ctx, stderr } = context();
    const run = applyClusterPlan(ctx, three, {
      ...applyOpts,
      current: new Map([...applyOpts.current, ['ledger', arn('ledger', 1)]]),
    });
    // orders gets to Service Connect while ledger is still held in wave 1.
    for (let i = 0; i < 200 && !stderr.text().includes('orders: ✔'); i++) await new Promise((r) => setImmediate(r));
    expect(stderr.text()).toMatch(/orders: ✔ wave 2/);
    expect(stderr.text()).not.toMatch(/ledger: ✔/);
    release();
    const results = await run;
    expect(results.map((r) => `${r.service}:${r.status}`)).toEqual(['ledger:migrated', 'payments:migrated', 'orders:migrated']);
  });
});

describe('migrate abort on the board', () => {
  it('piped: each pair says each change on its own line', async () => {
    const pairs = [pairFacts('orders'), pairFacts('payments')];
    ecs.on(UpdateServiceCommand).resolves({ service: {} });
    ecs.on(DeleteServiceCommand).resolves({ service: {} });
    const { ctx, stderr } = context();
    await runAbort(ctx, CLUSTER, pairs);
    expect(stderr.text().split('\n').filter(Boolean)).toEqual([
      'orders: ▸ abort',
      'orders: ▸ abort · deleted service orders-sc',
      'orders: ✔ abort · back on blue; green orders-sc removed',
      'payments: ▸ abort',
      'payments: ▸ abort · deleted service payments-sc',
      'payments: ✔ abort · back on blue; green payments-sc removed',
    ]);
  });

  it('a pair that fails stops the rest: its line says why, the next pairs are not started, the error is thrown', async () => {
    const pairs = [pairFacts('orders'), pairFacts('payments')];
    ecs.on(UpdateServiceCommand).rejects(Object.assign(new Error('access denied'), { name: 'AccessDeniedException' }));
    const { ctx, stderr } = context(true);
    await expect(runAbort(ctx, CLUSTER, pairs)).rejects.toThrow(/access denied/);
    const screen = renderScreen(stderr.text()).filter(Boolean);
    expect(screen[0]).toMatch(/^orders {4}✖ abort · .*access denied/);
    expect(screen[1]).toBe('payments  – not started (abort stopped at orders)');
    expect(ecs).not.toHaveReceivedCommand(DeleteServiceCommand);
  });
});

describe('migrate cleanup on the board', () => {
  const cleanup: CleanupPlan = {
    deregister: [arn('orders', 1), arn('orders', 2), arn('payments', 1)],
    detach: [{ role: 'orders-task', policyArn: 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess' }],
    deleteInline: [{ role: 'orders-task', policy: 'appmesh' }],
    listed: [],
  };

  it('piped: a line per change, headed by the family or the role it changed', async () => {
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});
    iam.on(DetachRolePolicyCommand).resolves({});
    iam.on(DeleteRolePolicyCommand).resolves({});
    const { ctx, stderr } = context();
    await runCleanup(ctx, cleanup);
    expect(stderr.text().split('\n').filter(Boolean)).toEqual([
      'orders: ✔ deregistered orders:1',
      'orders: ✔ deregistered orders:2',
      'payments: ✔ deregistered payments:1',
      'role orders-task: ✔ detached AWSAppMeshEnvoyAccess',
      'role orders-task: ✔ deleted inline policy appmesh',
    ]);
  });

  it('in a terminal: one line per family and role; a failed change says so, what was not reached is not started', async () => {
    ecs.on(DeregisterTaskDefinitionCommand, { taskDefinition: arn('orders', 2) }).resolves({});
    ecs.on(DeregisterTaskDefinitionCommand, { taskDefinition: arn('orders', 1) }).resolves({});
    ecs
      .on(DeregisterTaskDefinitionCommand, { taskDefinition: arn('payments', 1) })
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const { ctx, stderr } = context(true);
    await expect(runCleanup(ctx, cleanup)).rejects.toThrow(/not allowed/);
    const screen = renderScreen(stderr.text()).filter(Boolean);
    expect(screen).toHaveLength(3);
    expect(screen[0]).toBe('orders            ✔ deregistered orders:2');
    expect(screen[1]).toMatch(/^payments {10}✖ deregister payments:1 · .*not allowed/);
    expect(screen[2]).toBe('role orders-task  – not started (cleanup stopped)');
    expect(iam).not.toHaveReceivedCommand(DetachRolePolicyCommand);
  });
});
