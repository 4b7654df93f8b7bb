/**
 * meshctl's benchmark: reports, asserts nothing. Starts its own moto on loopback, seeds it, and prints
 * a markdown table of start-up ratios, the single-service rollout, and rollouts of 1, 10 and 50
 * services (3 tasks each), plain and with 20% of requests throttled through the fault proxy.
 * Run with `npm run bench`; set BENCH_QUICK=1 for a smaller run.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BIN, motoEnv, runCli } from '../test/support/cli.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { startMoto, type Moto } from '../test/support/moto.js';
import { seedLayeredCluster } from '../test/support/cluster-world.js';
import { APPS_STACK, MESH_STACK, seedStackWorld } from '../test/support/stack-world.js';
import { actAsEcsSchedulerWhileRunning, seedMoreServices, seedWorkshop } from '../test/support/workshop.js';

const quick = process.env.BENCH_QUICK === '1';
/** BENCH_ONLY=stack-plan (or migration, rollout): only that table's runs against moto. */
const only = process.env.BENCH_ONLY;
const wanted = (table: string) => only === undefined || only === table;
const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = `${root}test/fixtures/crystal-describe.json`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeCommand(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore', env: { PATH: process.env.PATH, CI: 'true' } });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

const countCalls = (stderr: string) => (stderr.match(/(^|: )aws [a-z]+\.[A-Za-z]+ \d+ms/gm) ?? []).length;
/** The time the logged calls took, back to back: the same calls made by one process with no waiting between them. */
const callMs = (stderr: string) =>
  [...stderr.matchAll(/(?:^|: )aws [a-z0-9]+\.[A-Za-z]+ (\d+)ms/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
const countThrottled = (stderr: string) => (stderr.match(/aws [a-z]+\.[A-Za-z]+ \d+ms \((\d+) attempts\)/gm) ?? []).length;

interface RolloutRow {
  name: string;
  services: number;
  seconds: number;
  calls: number;
  /** Seconds the same calls take back to back, with no waiting (from the --verbose durations). */
  callSeconds: number;
  outcome: string;
}

async function rollout(moto: Moto, name: string, n: number, throttle: boolean): Promise<RolloutRow> {
  await moto.reset();
  const ws = await seedWorkshop(moto.url);
  const names = Array.from({ length: n }, (_, i) => `svc-${String(i + 1).padStart(3, '0')}`);
  if (n > 1) await seedMoreServices(moto.url, ws, names);
  const proxy = throttle ? await startFaultProxy(moto.url, [{ kind: 'throttle', rate: 0.2 }], `bench-${n}`) : undefined;
  const scheduler = actAsEcsSchedulerWhileRunning(moto.url, ws);
  const args =
    n === 1
      ? ['rollout', '--interval', '2s', '--timeout', '5m', '--verify-timeout', '30s', '--json', '--verbose']
      : [
          'rollout',
          ...names.flatMap((s) => ['--service', s]),
          '--host',
          '{service}.appmeshworkshop.hosted.local',
          '--interval',
          '2s',
          '--timeout',
          '5m',
          '--verify-timeout',
          '30s',
          '--json',
          '--verbose',
        ];
  const t = process.hrtime.bigint();
  const r = await runCli(args, { cwd: ws.dir, env: motoEnv(proxy?.url ?? moto.url) });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  await scheduler.stop();
  await proxy?.close();
  const out = JSON.parse(r.stdout);
  // moto's SSM runs nothing: "verified-or-reported" means every service got to verify and it reported.
  const results: { status: string; failedStep?: string }[] =
    n === 1 ? [{ status: out.ok ? 'done' : 'failed', failedStep: out.failedStep }] : out.services;
  const reported = results.filter((s) => s.status === 'done' || s.failedStep === 'verify').length;
  const other = results.length - reported;
  const outcome = `${reported}/${n} verified-or-reported${other ? `, ${other} failed earlier` : ''}${throttle ? `, ${proxy!.injected.length} throttles injected, ${countThrottled(r.stderr)} calls retried` : ''}`;
  return { name, services: n, seconds, calls: countCalls(r.stderr), callSeconds: callMs(r.stderr) / 1000, outcome };
}

interface MigrationRow {
  name: string;
  services: number;
  waves: number;
  seconds: number;
  calls: number;
  outcome: string;
}

/** migrate apply --all-services on a cluster of `layers` waves × `perLayer` services, App Mesh made unreachable. */
async function migration(moto: Moto, layers: number, perLayer: number): Promise<MigrationRow> {
  await moto.reset();
  const ws = await seedWorkshop(moto.url);
  const names = await seedLayeredCluster(moto.url, ws, layers, perLayer);
  const proxy = await startFaultProxy(moto.url, [{ kind: '403', rate: 1, match: /^\w+ \/v20190125\// }], 'bench-migrate');
  const scheduler = actAsEcsSchedulerWhileRunning(moto.url, ws);
  const args = [
    'migrate',
    'apply',
    '--all-services',
    '--interval',
    '2s',
    '--timeout',
    '5m',
    '--concurrency',
    String(perLayer),
    '--json',
    '--verbose',
  ];
  const t = process.hrtime.bigint();
  const r = await runCli(args, { cwd: ws.dir, env: motoEnv(proxy.url) });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  await scheduler.stop();
  await proxy.close();
  const out = JSON.parse(r.stdout) as { results?: { status: string }[] };
  const migrated = (out.results ?? []).filter((x) => x.status === 'migrated').length;
  // The crystal workshop service in the same cluster runs no envoy: it is left as it is.
  const n = names.length;
  return {
    name: `migrate ${n} service${n > 1 ? 's' : ''} in ${layers} wave${layers > 1 ? 's' : ''}`,
    services: n,
    waves: layers,
    seconds,
    calls: countCalls(r.stderr),
    outcome: `${migrated}/${n} migrated, exit ${r.code}`,
  };
}

interface StackPlanRow {
  services: number;
  stacks: number;
  seconds: number;
  calls: number;
  /** GetTemplate, DescribeStacks, ListStackResources, ListExports calls, by operation. */
  stackCalls: Record<string, number>;
  outcome: string;
}

const STACK_READS = ['GetTemplate', 'DescribeStacks', 'ListStackResources', 'ListExports'];
const countOperation = (stderr: string, op: string) => (stderr.match(new RegExp(`(^|: )aws [a-z0-9]+\\.${op} \\d+ms`, 'gm')) ?? []).length;

/**
 * migrate plan --all-services --from-stack on `layers` × 10 services whose App Mesh side is in CloudFormation
 * (a mesh stack, and an application stack with one nested stack per layer), App Mesh made unreachable.
 */
async function stackPlan(moto: Moto, layers: number): Promise<StackPlanRow> {
  await moto.reset();
  const ws = await seedWorkshop(moto.url);
  const names = await seedStackWorld(moto.url, ws, layers, 10);
  const proxy = await startFaultProxy(moto.url, [{ kind: '403', rate: 1, match: /^\w+ \/v20190125\// }], 'bench-stack-plan');
  const args = ['migrate', 'plan', '--all-services', '--from-stack', MESH_STACK, '--from-stack', APPS_STACK, '--json', '--verbose'];
  // The plan changes nothing: the median of three runs on the same world steadies the time on a busy machine.
  const times: number[] = [];
  const results: Awaited<ReturnType<typeof runCli>>[] = [];
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    results.push(await runCli(args, { cwd: ws.dir, env: motoEnv(proxy.url) }));
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  const seconds = median(times);
  const r = results[0]!;
  await proxy.close();
  mkdirSync(`${root}.tmp`, { recursive: true });
  writeFileSync(`${root}.tmp/bench-stack-plan-${names.length}.log`, r.stderr);
  let planned = 0;
  try {
    const out = JSON.parse(r.stdout) as { services?: { status: string }[] };
    planned = (out.services ?? []).filter((s) => s.status === 'migrate').length;
  } catch {
    console.error(r.stderr);
  }
  const stackCalls = Object.fromEntries(STACK_READS.map((op) => [op, countOperation(r.stderr, op)]));
  return {
    services: names.length,
    stacks: 2 + layers,
    seconds,
    calls: countCalls(r.stderr),
    stackCalls,
    outcome: `${planned}/${names.length} planned, exit ${r.code}`,
  };
}

async function main() {
  // The SDK's notice that its 2027 releases need Node 22 is not part of the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const runs = quick ? 5 : 11;
  const base = timeCommand(['-e', '0'], runs);
  const startRows = [
    ['`node -e 0`', base],
    ['`meshctl --help`', timeCommand([BIN, '--help'], runs)],
    ['`meshctl --version`', timeCommand([BIN, '--version'], runs)],
    ['`meshctl add-envoy --from-file F --dry-run`', timeCommand([BIN, 'add-envoy', '--from-file', fixture, '--dry-run'], runs)],
  ] as const;

  const moto = await startMoto();
  const rows: RolloutRow[] = [];
  const migrations: MigrationRow[] = [];
  const stackPlans: StackPlanRow[] = [];
  try {
    if (wanted('migration')) {
      migrations.push(await migration(moto, 1, 1));
      migrations.push(quick ? await migration(moto, 2, 5) : await migration(moto, 5, 10));
    }
    // 20 and 200 services in quick runs too: the point of the table is the ratio between them.
    if (wanted('stack-plan')) stackPlans.push(await stackPlan(moto, 2), await stackPlan(moto, 20));
    if (wanted('rollout')) {
      rows.push(await rollout(moto, 'single-service rollout (workshop)', 1, false));
      for (const n of quick ? [10] : [10, 50]) rows.push(await rollout(moto, `rollout of ${n} services`, n, false));
      rows.push(await rollout(moto, `rollout of ${quick ? 10 : 50} services, 20% throttled`, quick ? 10 : 50, true));
    }
  } finally {
    await moto.stop();
  }

  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, moto on loopback (median of ${runs} runs for start-up).`,
    '',
    '| start-up | median | vs `node -e 0` |',
    '| --- | ---: | ---: |',
    ...startRows.map(([n, ms]) => `| ${n} | ${ms.toFixed(0)} ms | ${(ms / base).toFixed(2)}× |`),
    '',
    '| rollout against moto | services | wall time | AWS calls | calls per service | the same calls, no waiting | vs no waiting | outcome |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.services} | ${r.seconds.toFixed(1)} s | ${r.calls} | ${(r.calls / r.services).toFixed(1)} | ${r.callSeconds.toFixed(1)} s | ${(r.seconds / Math.max(r.callSeconds, 0.001)).toFixed(2)}× | ${r.outcome} |`,
    ),
    '',
    '| migration against moto (App Mesh unreachable) | services | waves | wall time | per wave | vs one service | AWS calls | calls per service | outcome |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...migrations.map((m) => {
      const one = migrations[0]!.seconds;
      const perWave = m.seconds / m.waves;
      return `| ${m.name} | ${m.services} | ${m.waves} | ${m.seconds.toFixed(1)} s | ${perWave.toFixed(1)} s | ${(perWave / one).toFixed(2)}× | ${m.calls} | ${(m.calls / m.services).toFixed(1)} | ${m.outcome} |`;
    }),
    '',
    '| migrate plan --from-stack (App Mesh unreachable) | services | stacks | wall time | per service | vs 20 services | AWS calls | calls per service | GetTemplate / DescribeStacks / ListStackResources / ListExports | outcome |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...stackPlans.map((p) => {
      const per = (x: StackPlanRow) => x.seconds / x.services;
      const reads = STACK_READS.map((op) => p.stackCalls[op]).join(' / ');
      return `| ${p.services} services, ${p.services / 10} nested stacks | ${p.services} | ${p.stacks} | ${p.seconds.toFixed(1)} s | ${(per(p) * 1000).toFixed(0)} ms | ${(per(p) / per(stackPlans[0]!)).toFixed(2)}× | ${p.calls} | ${(p.calls / p.services).toFixed(1)} | ${reads} | ${p.outcome} |`;
    }),
  ];
  const table = lines.join('\n');
  mkdirSync(`${root}.tmp`, { recursive: true });
  writeFileSync(`${root}.tmp/bench.md`, `${table}\n`);
  console.log(table);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
