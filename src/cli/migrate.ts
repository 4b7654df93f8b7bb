import type { Command } from 'commander';
import { nameOfArn } from '../core/arn.js';
import { greenNameOf, greenNameProblem, parseShift } from '../core/migrate/blue-green.js';
import { parseRoute53Flag, type Route53Target } from '../core/migrate/dns-weights.js';
import { planCluster } from '../core/migrate/plan.js';
import { type ClusterPlan, type Finding } from '../core/migrate/types.js';
import { escapeControls } from '../core/escape.js';
import { CheckFailedError, CommandFailedError, InterruptedError, UsageError } from '../errors.js';
import { mapLimit } from '../core/concurrency.js';
import {
  abortPlan,
  applyBlueGreen,
  checkRoute53,
  finishPlan,
  blueGreenPairs,
  readPair,
  runAbort,
  runFinish,
  type BlueGreenResult,
  type PairStatus,
} from '../steps/blue-green.js';
import type { Context, Deps } from '../runtime/context.js';
import {
  applyClusterPlan,
  backendsLeftBehind,
  gatherCluster,
  planSummary,
  selectPlan,
  type ServiceMigration,
} from '../steps/migrate-cluster.js';
import { gatherCleanup, runCleanup } from '../steps/migrate-cleanup.js';
import { DEFAULT_SERVICE, resolveServiceTarget, servicesMissing } from '../steps/service.js';
import { checkServiceConnectTraffic } from '../steps/verify-service-connect.js';
import type { Report } from '../ui/output.js';
import {
  checkAll,
  collect,
  contextOf,
  distinctServices,
  namespaceFlag,
  targetFlags,
  durationFlag,
  intFlag,
  nameFlag,
  resumeCommand,
} from './options/common.js';
import { toVerifyServiceConnectOptions } from './options/verify.js';
import { addWaitFlags, toWaitOptions, type WaitFlags } from './options/wait.js';
import { APP_PROTOCOLS } from '../core/protocol.js';

interface MigrateFlags extends WaitFlags {
  service?: string[];
  allServices?: boolean;
  cluster?: string;
  meshFile?: string;
  fromCloudformation?: string;
  fromTerraform?: string;
  namespace?: string;
  clientAlias?: string;
  appProtocol?: string;
  appContainer?: string;
  createNamespace?: boolean;
  concurrency?: string;
  force?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  strategy?: string;
  greenName?: string;
  shift?: string;
  stepWait?: string;
  window?: string;
  max5xxRatio?: string;
  route53?: string;
  yes?: boolean;
}

/** `--route53 ZONE_ID:NAME[=GREEN_VALUE]`, checked before any AWS call; it names one service's record. */
function route53Flag(flags: MigrateFlags): Route53Target | undefined {
  if (flags.route53 === undefined) return undefined;
  const [parsed] = checkAll(
    () => {
      const parsed = parseRoute53Flag(flags.route53!);
      if ('problem' in parsed) throw new UsageError(`--route53: ${parsed.problem}`);
      return parsed;
    },
    () => {
      if (flags.allServices || (flags.service ?? []).length !== 1)
        throw new UsageError('--route53 names the record in front of one service: pass exactly one --service with it');
    },
  );
  return parsed;
}

/**
 * `--green-name`, with exactly one --service (blue): a valid service name that is not blue's own, checked
 * before any AWS call (blue/green would otherwise adopt blue as its green, shift to nothing and delete blue).
 */
function greenNameFlag(green: string, services: readonly string[] | undefined): void {
  const blue = [...new Set(services ?? [])];
  checkAll(
    () => nameFlag(green, '--green-name'),
    () => {
      if (blue.length !== 1) throw new UsageError('--green-name names one green service: pass exactly one --service with it');
      const problem = greenNameProblem(blue[0]!, green);
      if (problem) throw new UsageError(problem);
    },
  );
}

/** --strategy blue-green's flags, checked before any AWS call, every problem at once. */
function toBlueGreenFlags(flags: MigrateFlags) {
  const strategy = flags.strategy ?? 'in-place';
  if (strategy !== 'in-place' && strategy !== 'blue-green')
    throw new UsageError(`--strategy: "${escapeControls(strategy)}" is not in-place or blue-green`);
  const bg = {
    greenName: '--green-name',
    shift: '--shift',
    stepWait: '--step-wait',
    window: '--window',
    max5xxRatio: '--max-5xx-ratio',
    route53: '--route53',
  } as const;
  const given = Object.entries(bg)
    .filter(([k]) => flags[k as keyof typeof bg] !== undefined)
    .map(([, f]) => f);
  if (strategy === 'in-place') {
    if (given.length) throw new UsageError(`${given.join(', ')} only apply with --strategy blue-green`);
    return undefined;
  }
  const [, shift, check, route53, stepWaitMs] = checkAll(
    () => flags.greenName !== undefined && greenNameFlag(flags.greenName, flags.service),
    () => {
      const shift = parseShift(flags.shift ?? DEFAULT_SHIFT);
      if ('problem' in shift) throw new UsageError(`--shift: ${shift.problem}`);
      return shift.steps;
    },
    () => toVerifyServiceConnectOptions({ window: flags.window, max5xxRatio: flags.max5xxRatio }),
    () => route53Flag(flags),
    () => durationFlag(flags.stepWait, '--step-wait', DEFAULT_STEP_WAIT_MS, 1000),
  );
  return { route53, greenName: flags.greenName, shift, stepWaitMs, check };
}

export const DEFAULT_SHIFT = '10,50,100';
export const DEFAULT_STEP_WAIT_MS = 5 * 60_000;

export const DEFAULT_MIGRATE_CONCURRENCY = 4;

/** Every flag checked before the first AWS call. */
function toMigrateOptions(flags: MigrateFlags) {
  // The action has made --service distinct (distinctServices): a service is never planned or sent twice.
  const services = flags.service ?? [];
  const appProtocol = flags.appProtocol;
  const [, , , concurrency] = checkAll(
    () => {
      if (flags.allServices && services.length) throw new UsageError('--all-services and --service both choose the services; pass one');
    },
    () => checkAll(...services.map((s) => () => nameFlag(s, '--service', 'service'))),
    () => {
      if (appProtocol !== undefined && !APP_PROTOCOLS.includes(appProtocol as never))
        throw new UsageError(`--app-protocol: "${appProtocol}" is not one of ${APP_PROTOCOLS.join(', ')}`);
    },
    () => intFlag(flags.concurrency ?? String(DEFAULT_MIGRATE_CONCURRENCY), '--concurrency', 1, 50)!,
    () => namespaceFlag(flags.namespace),
  );
  return {
    // By name: a service's ARN names it as well (the plan knows services by name).
    selection: flags.allServices
      ? undefined
      : services.length
        ? services.map((s) => (s.startsWith('arn:') ? nameOfArn(s) : s))
        : [DEFAULT_SERVICE],
    concurrency,
    sources: { meshFile: flags.meshFile, cloudFormation: flags.fromCloudformation, terraform: flags.fromTerraform },
    overrides: {
      namespace: flags.namespace,
      clientAlias: flags.clientAlias,
      appProtocol: appProtocol as (typeof APP_PROTOCOLS)[number] | undefined,
      createNamespace: flags.createNamespace === true,
      appContainer: flags.appContainer,
    },
  };
}

const mark = { error: '✖', warn: '!', info: '·' };
const findingLine = (f: Finding) => `${mark[f.level]} ${f.service ? `${f.service}: ` : ''}${f.message}`;

/** One table (wave, service, namespace, alias, backends, findings) and the findings under it. */
export function planReport(cluster: string, plan: ClusterPlan, notes: string[], extra: Record<string, unknown> = {}): Report {
  const rows = plan.waves.flatMap((w) =>
    w.services.map((name) => {
      const p = plan.services.find((s) => s.service === name)!;
      const alias = p.listeners.map((l) => `${l.alias.dnsName}:${l.alias.port}`).join(' ') || '-';
      const backends = p.backends.map((b) => b.servedBy ?? `${b.name}?`).join(',') || '-';
      const findings = p.findings.filter((f) => f.level !== 'info').length;
      return [String(w.wave), name, p.namespace ?? '-', alias, backends, findings ? `${findings}` : '-'];
    }),
  );
  const header = ['wave', 'service', 'namespace', 'alias', 'backends', 'findings'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const untouched = plan.services.filter((s) => s.status !== 'migrate').map((s) => `${s.service} (${s.status})`);
  const findings = [...plan.findings, ...plan.services.flatMap((s) => s.findings)];
  const cycles = plan.waves
    .filter((w) => w.cycle)
    .map((w) => `wave ${w.wave} is a cycle: ${w.cycle!.join(', ')} call each other and roll together`);
  return {
    data: {
      ok: plan.ok,
      cluster,
      notes,
      waves: plan.waves.map((w) => ({ wave: w.wave, services: w.services, cycle: w.cycle ?? null })),
      services: plan.services.map(planSummary),
      findings: plan.findings,
      ...extra,
    },
    lines: [
      ...notes.map((n) => `note: ${n}`),
      ...(rows.length ? [line(header), ...rows.map(line)] : ['nothing to migrate: no service of the selection runs envoy']),
      ...cycles,
      ...(untouched.length ? [`left as they are: ${untouched.join(', ')}`] : []),
      ...findings.map(findingLine),
    ],
  };
}

/** The report of an apply, and the one failure (with the command that resumes) when a service did not get there. */
function finishApply<R extends { status: string }>(
  deps: Deps,
  interrupted: boolean,
  report: Report,
  results: R[],
  lines: string[],
  succeeded: (r: R) => boolean,
): void {
  const failed = results.filter((r) => !succeeded(r));
  const next = failed.length ? resumeCommand(deps.argv) : null;
  const done: Report = {
    data: { ...report.data, ok: failed.length === 0, results, resumeCommand: next },
    lines: [...report.lines, ...lines],
  };
  if (!next) return deps.ui.result(done);
  // A service stopped inside a step names it (blue/green's step wait, say); else the run stopped between waves.
  const inside = failed.map((r) => (r as { error?: string }).error).find((e) => e?.startsWith('interrupted during '));
  const cause = interrupted
    ? new InterruptedError(inside ?? 'interrupted between waves')
    : new CheckFailedError(
        `${failed.length} of ${results.length} services did not get there; the waves after the failed one did not start`,
      );
  throw new CommandFailedError(cause, done, next);
}

function blueGreenLines(results: BlueGreenResult[]): string[] {
  return results.map((r) => {
    if (r.status === 'green-only') {
      const where = r.weight === 100 ? 'has all the traffic at the load balancer' : 'is reached through Service Connect';
      return `wave ${r.wave} ${r.service}: green ${r.green} (${r.taskDefinitionArn}) ${where}; meshctl migrate finish --service ${r.service} removes blue`;
    }
    if (r.status === 'failed') return `wave ${r.wave} ${r.service}: failed: ${r.error?.split('\n')[0]}`;
    return `wave ${r.wave} ${r.service}: ${r.status}`;
  });
}

function applyLines(results: ServiceMigration[]): string[] {
  return results.map((r) => {
    const from = r.appMeshTaskDefinitionArn ? ` (App Mesh revision ${r.appMeshTaskDefinitionArn})` : '';
    if (r.status === 'migrated') return `wave ${r.wave} ${r.service}: runs ${r.taskDefinitionArn} on Service Connect${from}`;
    if (r.status === 'failed') return `wave ${r.wave} ${r.service}: failed: ${r.error?.split('\n')[0]}${from}`;
    return `wave ${r.wave} ${r.service}: ${r.status}`;
  });
}

const SOURCES_HELP = `
Where the facts come from: the task definitions (envoy's APPMESH_VIRTUAL_NODE_NAME, AppPorts, the app's
ports), the services' Cloud Map registrations, their load balancers and the Route 53 private records
that point at them, and App Mesh itself only while it answers. With App Mesh gone, give what you kept:
--mesh-file (meshctl's own, from mesh export), --from-cloudformation (a template with AWS::AppMesh::*),
or --from-terraform (terraform show -json). Aliases are the names clients call (a virtual service's DNS
name, the Cloud Map name, or the Route 53 record), never a load balancer's DNS name.`;

/** The cluster read as it is, planned, and cut to the selection; with the report that shows it. */
async function readAndPlan(ctx: Context, flags: MigrateFlags, opts: ReturnType<typeof toMigrateOptions>) {
  const { cluster } = await resolveServiceTarget(ctx, { cluster: flags.cluster });
  const gathered = await gatherCluster(ctx, { cluster, sources: opts.sources, overrides: opts.overrides, concurrency: opts.concurrency });
  // A service named that the cluster does not have is no empty plan: exit 3, naming it.
  const missing = (opts.selection ?? []).filter((name) => !gathered.services.some((s) => s.serviceName === name));
  if (missing.length) throw servicesMissing(cluster, missing, flags.service === undefined);
  const full = planCluster(gathered.input);
  const plan = selectPlan(full, opts.selection);
  const current = new Map(gathered.services.map((s) => [s.serviceName!, s.taskDefinition!]));
  return { ctx, cluster, full, plan, current, report: planReport(cluster, plan, gathered.notes) };
}

function addPlanFlags(cmd: Command): Command {
  return cmd
    .option('--service <name>', `ECS service; repeat for several (default: ${DEFAULT_SERVICE})`, collect)
    .option('--all-services', 'every service of the cluster that runs envoy, in waves: servers before their clients')
    .option('--mesh-file <file>', "meshctl's mesh file describing the mesh (App Mesh need not answer)")
    .option('--from-cloudformation <template>', 'a CloudFormation template (JSON or YAML) with AWS::AppMesh::* resources')
    .option('--from-terraform <state>', 'the JSON of terraform show -json, with aws_appmesh_* resources')
    .option('--namespace <name>', 'Cloud Map namespace for Service Connect (default: the one the service registers in)')
    .option('--client-alias <dns-name>', 'the name clients call (one service only; default: from the mesh, Cloud Map or Route 53)')
    .option('--app-protocol <protocol>', 'http, http2 or grpc where the mesh does not say (default: http)')
    .option('--app-container <name>', 'application container (default: the first that is not envoy)')
    .option('--create-namespace', 'create the Cloud Map HTTP namespace when it does not exist')
    .option('--concurrency <n>', 'services of one wave migrated at once', String(DEFAULT_MIGRATE_CONCURRENCY));
}

export function registerMigrate(program: Command, deps: Deps): void {
  const migrate = program
    .command('migrate')
    .description(
      'move services, or the whole cluster, from App Mesh to ECS Service Connect: planned, in dependency order, without the App Mesh API',
    );
  addPlanFlags(migrate.command('plan'))
    .description('print the waves (servers first) and, for each service, its namespace, alias, backends and findings; changes nothing')
    .addHelpText(
      'after',
      `\nExamples:\n  meshctl migrate plan\n  meshctl migrate plan --all-services --json\n  meshctl migrate plan --all-services --from-cloudformation mesh-stack.yaml\n${SOURCES_HELP}`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateFlags>();
      flags.service = distinctServices(flags.service, (m) => deps.ui.warn(m));
      const [opts, ctx] = checkAll(
        () => toMigrateOptions(flags),
        () => contextOf(cmd, deps),
        () => targetFlags({ cluster: flags.cluster }),
      );
      const { plan, report } = await readAndPlan(ctx, flags, opts);
      if (!plan.ok)
        throw new CommandFailedError(new CheckFailedError('the plan has errors (✖ above); fix them or pass the flags they name'), report);
      deps.ui.result(report);
    });
  addWaitFlags(addPlanFlags(migrate.command('apply')))
    .description('run the plan wave by wave: register each envoy-free revision once, update the service with Service Connect, wait')
    .option('--dry-run', 'read and check everything, change nothing')
    .option('--no-wait', 'do not wait for the new tasks (the next wave then starts at once)')
    .option('--force', 'migrate a client although its servers still run envoy')
    .option(
      '--strategy <strategy>',
      'in-place (the service itself moves) or blue-green (a green <name>-sc beside it, traffic shifted in steps)',
      'in-place',
    )
    .option('--green-name <name>', 'with blue-green and one --service: the green service (default: <name>-sc)')
    .option(
      '--route53 <zone-id:name=green-value>',
      'with blue-green and one --service without a load balancer: the Route 53 record in front of it, made weighted blue/green records; green-value: IPv4 or IPv6 addresses (comma-separated), a domain name (CNAME) or alias:HOSTED_ZONE_ID:DNS_NAME',
    )
    .option('--shift <steps>', `with blue-green: green's share at the load balancer or record, step by step (default: ${DEFAULT_SHIFT})`)
    .option('--step-wait <duration>', 'with blue-green: how long each step runs before the traffic check (default: 5m)')
    .option('--window <duration>', "with blue-green: the traffic check's CloudWatch window (default: 5m)")
    .option('--max-5xx-ratio <ratio>', "with blue-green: the traffic check's most 5xx answers (default: 1%)")
    .addHelpText(
      'after',
      `
Examples:
  meshctl migrate apply --all-services
  meshctl migrate apply --all-services --from-cloudformation mesh-stack.yaml --create-namespace --json
  meshctl migrate apply --service payments
  meshctl migrate apply --service crystal-service-lb --strategy blue-green --shift 10,50,100 --step-wait 5m
  meshctl migrate apply --service inventory --strategy blue-green --route53 Z0123456789ABC:inventory.shop.internal=10.0.1.20

Blue/green: behind a load balancer, the shift is a weighted forward at its listeners. With --route53
ZONE_ID:NAME=GREEN_VALUE, the record (simple A, AAAA or CNAME, plain or alias) becomes two weighted
records in one Route 53 batch, SetIdentifier "blue" (its value, weight 100-N) and "green" (GREEN_VALUE,
weight N); each step UPSERTs both weights in one batch and waits for INSYNC. GREEN_VALUE is what green
answers on: IPv4 or IPv6 addresses (comma-separated, for A or AAAA), one domain name (CNAME), or
alias:HOSTED_ZONE_ID:DNS_NAME. Once the records are weighted, the same command resumes without it.
With neither, green is reached through Service Connect alone; its callers move to it in the next wave.

A failed wave stops the run; the next waves do not start, and the same command resumes (services already
on Service Connect are left as they are). Migrating a client whose servers still run envoy is refused
unless --force. The output names each service's App Mesh revision and its Service Connect one.
${SOURCES_HELP}`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateFlags>();
      flags.service = distinctServices(flags.service, (m) => deps.ui.warn(m));
      const [opts, wait, blueGreen, context] = checkAll(
        () => toMigrateOptions(flags),
        () => (flags.wait === false ? undefined : toWaitOptions(flags)),
        () => toBlueGreenFlags(flags),
        () => contextOf(cmd, deps),
        () => targetFlags({ cluster: flags.cluster }),
      );
      const { ctx, cluster, full, plan, current, report } = await readAndPlan(context, flags, opts);
      if (!plan.ok) throw new CommandFailedError(new CheckFailedError('the plan has errors (✖ above); nothing was changed'), report);
      const behind = opts.selection ? backendsLeftBehind(full, opts.selection) : new Map<string, string[]>();
      if (behind.size && !flags.force) {
        const list = [...behind].map(([client, servers]) => `${client} calls ${servers.join(', ')}`).join('; ');
        const add = [...new Set([...behind.values()].flat())].flatMap((s) => ['--service', s]);
        throw new CommandFailedError(
          new CheckFailedError(
            `servers first: ${list}, which still run envoy; migrate them first (or in the same run), or pass --force; nothing was changed`,
          ),
          report,
          resumeCommand(deps.argv, { add }),
        );
      }
      // A dry run checks the record too (it exists, green's value fits it, the service has no load balancer).
      if (flags.dryRun && blueGreen?.route53)
        await checkRoute53(ctx, plan, { cluster, route53: blueGreen.route53, greenName: blueGreen.greenName });
      if (flags.dryRun)
        return deps.ui.result({
          ...report,
          data: { ...report.data, dryRun: true },
          lines: ['dry run: nothing was changed', ...report.lines],
        });
      const createNamespaces = opts.overrides.createNamespace
        ? [...new Set(plan.services.filter((s) => s.status === 'migrate' && !s.namespaceExists && s.namespace).map((s) => s.namespace!))]
        : [];
      if (blueGreen) {
        const check = blueGreen.check;
        const results = await applyBlueGreen(ctx, plan, {
          cluster,
          greenName: blueGreen.greenName,
          route53: blueGreen.route53,
          shift: blueGreen.shift,
          stepWaitMs: blueGreen.stepWaitMs,
          wait,
          concurrency: opts.concurrency,
          createNamespaces,
          async check(c, green, discoveryNames, edge) {
            const v = await checkServiceConnectTraffic(c, {
              cluster,
              service: green,
              discoveryNames,
              targetGroupArns: edge.targetGroupArns,
              loadBalancerArns: edge.loadBalancerArns,
              windowMs: check.windowMs,
              max5xxRatio: check.max5xxRatio,
            });
            const failed = v.checks.filter((x) => !x.ok);
            return { ok: v.ok, detail: (failed.length ? failed : v.checks).map((x) => `${x.name}: ${x.detail}`).join('; ') };
          },
        });
        return finishApply(deps, ctx.signal.aborted, report, results, blueGreenLines(results), (r) => r.status === 'green-only');
      }
      const results = await applyClusterPlan(ctx, plan, { cluster, concurrency: opts.concurrency, wait, createNamespaces, current });
      finishApply(deps, ctx.signal.aborted, report, results, applyLines(results), (r) => r.status === 'migrated');
    });

  const pairs = (cmd: Command) =>
    cmd
      .option('--service <name>', 'a blue service; repeat for several', collect)
      .option('--all-services', 'every blue/green pair of the cluster: each green meshctl created (by its tags) beside its blue')
      .option('--green-name <name>', 'with one --service: the green service (default: <name>-sc)')
      .option('--route53 <zone-id:name>', 'with one --service: the Route 53 record apply made weighted (a =value after it is ignored)');
  const choose = async (cmd: Command) => {
    const flags = cmd.optsWithGlobals<MigrateFlags>();
    const selected = distinctServices(flags.service, (m) => deps.ui.warn(m)) ?? [];
    const [ctx, , , , route53] = checkAll(
      () => contextOf(cmd, deps),
      () => targetFlags(flags),
      () => {
        if (flags.allServices && selected.length) throw new UsageError('--all-services and --service both choose the services; pass one');
      },
      () => flags.greenName !== undefined && greenNameFlag(flags.greenName, selected),
      () => route53Flag(flags),
    );
    const { cluster } = await resolveServiceTarget(ctx, { cluster: flags.cluster });
    // By name: a service's ARN names it as well.
    const pairs = flags.allServices
      ? await blueGreenPairs(ctx, cluster)
      : (selected.length ? selected : [DEFAULT_SERVICE])
          .map((s) => (s.startsWith('arn:') ? nameOfArn(s) : s))
          .map((blue) => ({ blue, green: greenNameOf(blue, flags.greenName) }));
    const read = await mapLimit(pairs, 4, (p) => readPair(ctx, cluster, p.blue, p.green, route53));
    // Neither blue nor its green: nothing the user named is there (exit 3), not a pair that is "blue only".
    const gone = read.filter((p) => !p.blue && !p.greenService).map((p) => p.service);
    if (gone.length) throw servicesMissing(cluster, gone, !flags.allServices && selected.length === 0);
    return { flags, ctx, cluster, read, route53 };
  };
  const statusLine = (p: PairStatus) =>
    `${p.service} → ${p.green}: ${p.state}${p.weight !== undefined ? ` (green ${p.weight}%)` : ''}${p.greenDesired ? `, green ${p.greenRunning}/${p.greenDesired} running` : ''}${p.record ? `; record ${p.record}` : ''}`;
  // --all-services in a cluster without a pair says so: an empty output would look like success on something.
  const statusLines = (cluster: string, pairs: PairStatus[]) =>
    pairs.length ? pairs.map(statusLine) : [`no blue/green pairs in cluster ${cluster}: no service has a green beside it`];
  const pairData = (p: PairStatus) => ({
    service: p.service,
    green: p.green,
    state: p.state,
    weight: p.weight ?? null,
    greenRunning: p.greenRunning ?? null,
    greenDesired: p.greenDesired ?? null,
    record: p.record ?? null,
  });
  pairs(migrate.command('status'))
    .description('each blue/green pair: blue only, green starting, shifting N%, green only, or finished')
    .addHelpText(
      'after',
      '\nExamples:\n  meshctl migrate status --all-services\n  meshctl migrate status --service crystal-service-lb --json',
    )
    .action(async (_local: unknown, cmd: Command) => {
      const { cluster, read } = await choose(cmd);
      deps.ui.result({ data: { ok: true, cluster, services: read.map(pairData) }, lines: statusLines(cluster, read) });
    });
  const ending = (name: 'abort' | 'finish', plan: typeof abortPlan, run: typeof runAbort, description: string, help: string) =>
    pairs(migrate.command(name))
      .description(description)
      .option('--yes', 'do it without asking (needed without a terminal)')
      .addHelpText('after', help)
      .action(async (_local: unknown, cmd: Command) => {
        const { flags, ctx, cluster, read, route53 } = await choose(cmd);
        const plans = read.map((p) => plan(p));
        if (plans.length === 0)
          return deps.ui.result({ data: { ok: true, cluster, done: [], services: [] }, lines: statusLines(cluster, []) });
        const shown = plans.flatMap((p) => [`${p.service}:`, ...p.actions.map((a) => `  - ${a}`)]);
        if (!flags.yes) {
          if (!deps.confirm)
            throw new UsageError(
              `migrate ${name} changes and deletes what it lists; pass --yes to do it without a terminal:\n${shown.join('\n')}`,
            );
          if (!(await deps.confirm(`${shown.join('\n')}\nType yes to ${name}: `)))
            throw new UsageError(`not confirmed; nothing was changed`);
        }
        deps.ui.info(shown.join('\n'));
        for (const p of read) await run(ctx, cluster, p);
        const after = await mapLimit(read, 4, (p) => readPair(ctx, cluster, p.service, p.green, route53));
        deps.ui.result({ data: { ok: true, cluster, done: plans, services: after.map(pairData) }, lines: statusLines(cluster, after) });
      });
  ending(
    'abort',
    abortPlan,
    runAbort,
    'shift all traffic back to blue and remove green (its service, target group, weighted records)',
    "\nExamples:\n  meshctl migrate abort --service crystal-service-lb\n  meshctl migrate abort --all-services --yes --json\n  meshctl migrate abort --service inventory --route53 Z0123456789ABC:inventory.shop.internal --yes\n\nWith --route53, the weighted blue and green records become one plain record with blue's value again (one batch).\nRefused when there is no green, or when blue is already gone.",
  );
  ending(
    'finish',
    finishPlan,
    runFinish,
    "after green has all the traffic: forward to green alone (or leave a plain record with green's value), scale blue to 0 and delete it",
    "\nExamples:\n  meshctl migrate finish --service crystal-service-lb\n  meshctl migrate finish --all-services --yes\n  meshctl migrate finish --service inventory --route53 Z0123456789ABC:inventory.shop.internal --yes\n\nWith --route53, blue is deleted first (its weight is 0), then the weighted records become one plain record\nwith green's value; a finish stopped between the two does the rest when run again.\nRefused unless green has 100% (or, without a load balancer or record, runs beside blue).",
  );

  migrate
    .command('cleanup')
    .description(
      'after the move: deregister envoy revisions no service runs, remove App Mesh permissions no envoy task needs; list the rest',
    )
    .option('--keep <n>', 'envoy revisions kept per family, newest first', '1')
    .option('--yes', 'do it (without it, cleanup only shows what it would do)')
    .addHelpText(
      'after',
      `
Examples:
  meshctl migrate cleanup                 # shows what it would do; changes nothing
  meshctl migrate cleanup --keep 2 --yes

Deregisters task definition revisions that run envoy and that no service uses (keeping the newest --keep
of each family), detaches AWSAppMeshEnvoyAccess and deletes inline policies that allow only appmesh:*
from task roles no remaining envoy task uses. Lists, never deletes: Cloud Map services no ECS service
registers in, virtual gateway task definitions and services, private Route 53 records that point at
either (a Cloud Map name, a gateway's load balancer), and CloudFormation stacks whose templates still
declare AWS::AppMesh::* resources, with their logical IDs (change those stacks yourself).`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ keep?: string; yes?: boolean; cluster?: string }>();
      const [keep, ctx] = checkAll(
        () => intFlag(flags.keep, '--keep', 0, 100)!,
        () => contextOf(cmd, deps),
        () => targetFlags(flags),
      );
      const { cluster } = await resolveServiceTarget(ctx, { cluster: flags.cluster });
      const plan = await gatherCleanup(ctx, cluster, keep);
      const lines = [
        ...plan.deregister.map((a) => `${flags.yes ? 'deregistered' : 'would deregister'} ${a}`),
        ...plan.detach.map((d) => `${flags.yes ? 'detached' : 'would detach'} ${nameOfArn(d.policyArn)} from role ${d.role}`),
        ...plan.deleteInline.map((d) => `${flags.yes ? 'deleted' : 'would delete'} inline policy ${d.policy} of role ${d.role}`),
        ...plan.listed.map((l) => `left for you: ${l.kind} ${l.name} (${l.why})`),
      ];
      if (flags.yes) await runCleanup(ctx, plan);
      const changes = plan.deregister.length + plan.detach.length + plan.deleteInline.length;
      const tail =
        changes === 0
          ? 'nothing to clean up'
          : flags.yes
            ? `${changes} changes made`
            : `${changes} changes; run again with --yes to make them`;
      deps.ui.result({ data: { ok: true, cluster, done: flags.yes === true, ...plan }, lines: [...lines, tail] });
    });
}
