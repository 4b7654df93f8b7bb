import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { seedClusterWorld } from '../support/cluster-world.js';
import { startFaultProxy, type FaultKind, type FaultProxy, type FaultRule } from '../support/fault-proxy.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { actAsEcsSchedulerWhileRunning, CLUSTER, sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop();
let proxy: FaultProxy | undefined;

beforeEach(async () => {
  await env.seeded('cluster', seedClusterWorld);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const cli = (args: string[], url?: string) => env.cli(args, {}, url);
/** App Mesh's REST paths answered with `kind` (403, an HTML 404, a reset); every other service passes. */
const appMeshGone = async (kind: FaultKind) =>
  (proxy = await startFaultProxy(env.moto.url, [{ kind, rate: 1, match: /^\w+ \/v20190125\// }])).url;

interface PlanOut {
  ok: boolean;
  notes: string[];
  waves: { wave: number; services: string[] }[];
  services: {
    service: string;
    status: string;
    namespace: string;
    listeners: { alias: { dnsName: string; port: number }; portName: string; discoveryName: string }[];
    backends: { name: string; servedBy?: string }[];
  }[];
}
const shape = (out: PlanOut) => ({
  waves: out.waves.map((w) => w.services),
  services: Object.fromEntries(
    out.services.map((s) => [
      s.service,
      { status: s.status, namespace: s.namespace, listeners: s.listeners, backends: s.backends.map((b) => b.servedBy ?? b.name) },
    ]),
  ),
});

const revisionOf = async (service: string) =>
  (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services![0]!
    .taskDefinition!;
const containersOf = async (arn: string) =>
  (await sdkClients(env.moto.url).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!;

describe('migrate plan --all-services: the whole cluster, servers first', () => {
  it('plans waves with the names clients call, never the ALB name', async () => {
    const r = await cli(['migrate', 'plan', '--all-services', '--create-namespace', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as PlanOut;
    expect(out.waves.map((w) => w.services)).toEqual([['crystal-service-lb', 'inventory', 'payments'], ['products']]);
    const crystal = out.services.find((s) => s.service === 'crystal-service-lb')!;
    expect(crystal.listeners).toEqual([
      expect.objectContaining({ portName: 'crystal', alias: { dnsName: 'crystal.appmeshworkshop.hosted.local', port: 3000 } }),
    ]);
    expect(r.stdout).not.toMatch(/elb\.amazonaws\.com"/);
    const payments = out.services.find((s) => s.service === 'payments')!;
    expect(payments.listeners[0]!.alias).toEqual({ dnsName: 'payments.local', port: 5000 });
    // payments already registers in Cloud Map as "payments": Service Connect's own service needs another name.
    expect(payments.listeners[0]!.discoveryName).toBe('payments-sc');
    expect(out.services.find((s) => s.service === 'products')!.backends).toEqual([
      expect.objectContaining({ name: 'payments.local', servedBy: 'payments' }),
    ]);
  });

  it('a Route 53 private zone is not a Cloud Map namespace: without --create-namespace the plan says so (exit 1)', async () => {
    const r = await cli(['migrate', 'plan', '--all-services']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/appmeshworkshop\.hosted\.local/);
    expect(r.stdout).toMatch(/--create-namespace/);
  });

  // Every way an ended App Mesh can answer gives the plan the live one gives (issue 18 item 5); the
  // AWS layer's table of the same answers is test/aws/service-gone.test.ts.
  const APP_MESH = /^\w+ \/v20190125\//;
  const json = (type: string) => ({ 'content-type': 'application/json', 'x-amzn-errortype': type });
  const GONE: [string, () => Promise<Record<string, string>>][] = [
    ['403 AccessDenied', async () => ({ AWS_ENDPOINT_URL_APP_MESH: await gone('403') })],
    ['an HTML 404', async () => ({ AWS_ENDPOINT_URL_APP_MESH: await gone('404') })],
    ['a reset', async () => ({ AWS_ENDPOINT_URL_APP_MESH: await gone('reset') })],
    [
      '404 UnknownOperationException',
      async () => ({ AWS_ENDPOINT_URL_APP_MESH: await answerWith(404, json('UnknownOperationException'), '{}') }),
    ],
    ['400 InvalidAction', async () => ({ AWS_ENDPOINT_URL_APP_MESH: await answerWith(400, json('InvalidAction'), '{"message":"x"}') })],
    ['410 with no body', async () => ({ AWS_ENDPOINT_URL_APP_MESH: await answerWith(410) })],
    ['503 through every retry', async () => ({ AWS_ENDPOINT_URL_APP_MESH: await answerWith(503), AWS_MAX_ATTEMPTS: '2' })],
    [
      '200 with an HTML page',
      async () => ({ AWS_ENDPOINT_URL_APP_MESH: await answerWith(200, { 'content-type': 'text/html' }, '<html>gone</html>') }),
    ],
    ['nothing listening', async () => ({ AWS_ENDPOINT_URL_APP_MESH: 'http://127.0.0.1:9' })],
    ['a host that does not resolve', async () => ({ AWS_ENDPOINT_URL_APP_MESH: 'http://appmesh.invalid' })],
  ];
  it('gives the same plan however App Mesh answers (each way at once, against one world)', async () => {
    const live = JSON.parse((await cli(['migrate', 'plan', '--all-services', '--create-namespace', '--json'])).stdout) as PlanOut;
    const runs = await Promise.all(
      GONE.map(async ([name, endpoints]) => ({
        name,
        r: await env.cli(['migrate', 'plan', '--all-services', '--create-namespace', '--json'], await endpoints()),
      })),
    );
    for (const { name, r } of runs) {
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      const gone = JSON.parse(r.stdout) as PlanOut;
      expect(shape(gone), name).toEqual(shape(live));
      expect(gone.notes[0], name).toMatch(
        /^App Mesh could not be read \(.*\); the plan was built from task definitions, ECS services, Cloud Map, load balancers, Route 53 instead$/,
      );
    }
  });
  // Each way has its own proxy, closed after the test.
  const proxies: FaultProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  const proxied = async (rules: FaultRule[]) => {
    const p = await startFaultProxy(env.moto.url, rules);
    proxies.push(p);
    return p.url;
  };
  const gone = (kind: FaultKind) => proxied([{ kind, rate: 1, match: APP_MESH }]);
  const answerWith = (status: number, headers?: Record<string, string>, body?: string) =>
    proxied([{ kind: 'answer', rate: 1, match: APP_MESH, answer: { status, headers, body } }]);
});

describe('migrate apply --all-services with App Mesh gone', () => {
  it('takes every service to Service Connect in waves, each registered once; a second run changes nothing', async () => {
    const url = await appMeshGone('403');
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      const r = await cli(
        ['migrate', 'apply', '--all-services', '--create-namespace', '--interval', '1s', '--timeout', '30s', '--json'],
        url,
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        results: { service: string; wave: number; status: string; taskDefinitionArn: string; appMeshTaskDefinitionArn: string }[];
      };
      expect(out.results.map((x) => `${x.wave}:${x.service}:${x.status}`)).toEqual([
        '1:crystal-service-lb:migrated',
        '1:inventory:migrated',
        '1:payments:migrated',
        '2:products:migrated',
      ]);
      for (const x of out.results) {
        expect(await revisionOf(x.service)).toBe(x.taskDefinitionArn);
        const td = await containersOf(x.taskDefinitionArn);
        expect(td.containerDefinitions!.map((c) => c.name)).not.toContain('envoy');
        expect(td.proxyConfiguration).toBeUndefined();
        expect(x.appMeshTaskDefinitionArn).not.toBe(x.taskDefinitionArn);
      }
      // Piped (and --json off a terminal), the board writes a line per change, each headed by its service;
      // products' lines come after payments': servers before clients.
      for (const x of out.results) {
        const name = x.taskDefinitionArn.split('/').pop()!;
        const lines = r.stderr.split('\n').filter((l) => l.startsWith(`${x.service}: `));
        expect(lines[0], r.stderr).toBe(`${x.service}: ▸ wave ${x.wave} · register`);
        expect(lines, r.stderr).toContain(`${x.service}: ▸ wave ${x.wave} · update-service: ${name} with Service Connect`);
        expect(lines, r.stderr).toContain(`${x.service}: ▸ wave ${x.wave}: wait-running · ${name}`);
        expect(lines.at(-1), r.stderr).toBe(`${x.service}: ✔ wave ${x.wave} · runs ${name} on Service Connect`);
        // No spinner's frames, no second progress of its own: every line of the service is a board line.
        expect(
          lines.every((l) => /^[\w-]+: [▸✔] wave \d/.test(l)),
          r.stderr,
        ).toBe(true);
      }
      expect(r.stderr.indexOf('products: ▸')).toBeGreaterThan(r.stderr.indexOf('payments: ✔'));

      const again = await cli(['migrate', 'apply', '--all-services', '--create-namespace', '--json'], url);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).results).toEqual([]);
    } finally {
      await scheduler.stop();
    }
  });

  it('refuses to migrate a client before its server (exit 1), naming the server, and changes nothing', async () => {
    const before = await revisionOf('products');
    const r = await cli(['migrate', 'apply', '--service', 'products', '--create-namespace']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/servers first: products calls payments, which still run envoy/);
    expect(r.stderr).toMatch(/resume with: meshctl migrate apply --service products --create-namespace --service payments/);
    expect(await revisionOf('products')).toBe(before);
  });
});

describe('a way back that works without App Mesh', () => {
  it('rollback to an envoy revision is refused while App Mesh does not answer, naming the last revision without envoy; --force overrides', async () => {
    const url = await appMeshGone('reset');
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      const appMesh = await revisionOf('crystal-service-lb');
      const r = await cli(
        ['migrate', 'apply', '--service', 'crystal-service-lb', '--create-namespace', '--interval', '1s', '--timeout', '30s'],
        url,
      );
      expect(r.code, r.stderr).toBe(0);
      const migrated = await revisionOf('crystal-service-lb');
      const refused = await cli(['rollback', '--to', appMesh, '--no-wait'], url);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /runs envoy, and App Mesh could not be read .*never start\. Roll back to .*:1 instead, the last revision without envoy/,
      );
      expect(await revisionOf('crystal-service-lb')).toBe(migrated);
      const forced = await cli(['rollback', '--to', appMesh, '--no-wait', '--force', '--json'], url);
      expect(forced.code, forced.stderr).toBe(0);
      expect(await revisionOf('crystal-service-lb')).toBe(appMesh);
    } finally {
      await scheduler.stop();
    }
  });

  it('while App Mesh answers for the node, the rollback goes ahead and turns Service Connect off', async () => {
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    try {
      const appMesh = await revisionOf('payments');
      expect((await cli(['migrate', 'apply', '--service', 'payments', '--interval', '1s', '--timeout', '30s'])).code).toBe(0);
      const r = await cli(['rollback', '--service', 'payments', '--to', appMesh, '--no-wait']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/runs envoy: turning Service Connect off for payments/);
      expect(await revisionOf('payments')).toBe(appMesh);
    } finally {
      await scheduler.stop();
    }
  });
});

describe('migrate cleanup after the move', () => {
  it('shows what it would deregister, changes nothing without --yes, and with --yes deregisters exactly that', async () => {
    await env.withScheduler(async () => {
      const r = await cli(['migrate', 'apply', '--all-services', '--create-namespace', '--interval', '1s', '--timeout', '30s']);
      expect(r.code, r.stderr).toBe(0);
    });
    const shown = await cli(['migrate', 'cleanup', '--keep', '0', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const plan = JSON.parse(shown.stdout);
    expect(plan.done).toBe(false);
    expect(plan.deregister.map((a: string) => a.split('/').pop()).sort()).toEqual([
      'appmesh-workshop-crystal-lb-vanilla:2',
      'inventory-task:1',
      'payments-task:1',
      'products-task:1',
    ]);
    expect(await env.revisions('payments-task')).toHaveLength(2);
    const done = await cli(['migrate', 'cleanup', '--keep', '0', '--yes', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout).deregister).toEqual(plan.deregister);
    // A line per change on stderr, headed by the family it changed.
    expect(done.stderr).toMatch(/^payments-task: ✔ deregistered payments-task:1$/m);
    expect((await env.revisions('payments-task')).map((a) => a.split('/').pop())).toEqual(['payments-task:2']);
    const again = await cli(['migrate', 'cleanup', '--keep', '0']);
    expect(again.stdout).toMatch(/nothing to clean up/);
  });
});
