import type { Command } from 'commander';
import { CheckFailedError, CommandFailedError, InterruptedError } from '../../errors.js';
import type { Deps } from '../../runtime/context.js';
import { applyBlueGreen, checkRoute53, type BlueGreenResult } from '../../steps/blue-green.js';
import { applyClusterPlan, backendsLeftBehind, type ServiceMigration } from '../../steps/migrate-cluster.js';
import { confirmStandaloneMoves, moveStandaloneTasks, standaloneResultLines, withStandaloneMoves } from '../../steps/standalone-tasks.js';
import type { ClusterPlan } from '../../core/migrate/types.js';
import { frozenWindowLine, frozenWindows } from '../../core/migrate/callers.js';
import { checkServiceConnectTraffic } from '../../steps/verify-service-connect.js';
import type { Report } from '../../ui/output.js';
import { checkAll, contextOf, distinctServices, resumeCommand, targetFlags } from '../options/common.js';
import { addWaitFlags, toWaitOptions } from '../options/wait.js';
import { readAndPlan } from './cluster-plan.js';
import { addPlanFlags, DEFAULT_SHIFT, SOURCES_HELP, toBlueGreenFlags, toMigrateOptions, type MigrateFlags } from './flags.js';

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

/** Virtual gateway services: apply leaves them as they are, and says so. */
function gatewayLines(plan: ClusterPlan): string[] {
  return plan.services
    .filter((s) => s.status === 'gateway')
    .map((s) => {
      const rules = s.gateway?.routes.length ? `; the plan lists ${s.gateway.routes.length} listener rules to replace it` : '';
      return `${s.service}: virtual gateway ${s.gateway?.name ?? ''}, left untouched${rules}; migrate cleanup lists it`;
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

export function registerApply(migrate: Command, deps: Deps): void {
  addWaitFlags(addPlanFlags(migrate.command('apply')))
    .description('run the plan wave by wave: register each envoy-free revision once, update the service with Service Connect, wait')
    .option('--dry-run', 'read and check everything, change nothing')
    .option('--no-wait', 'do not wait for the new tasks (the next wave then starts at once)')
    .option('--force', 'migrate a client although its servers still run envoy')
    .option('--yes', 'move the EventBridge rules and schedules the plan lists without asking (needed without a terminal)')
    .option(
      '--strategy <strategy>',
      'in-place (the service itself moves) or blue-green (a green <name>-sc beside it, traffic shifted in steps)',
      'in-place',
    )
    .option('--green-name <name>', 'with blue-green and one --service: the green service (default: <name>-sc)')
    .option(
      '--route53 <zone-id:name=green-value>',
      'with blue-green and one --service without a load balancer: the Route 53 record in front of it, made weighted blue/green records; ' +
        'green-value: IPv4 or IPv6 addresses (comma-separated), a domain name (CNAME) or alias:HOSTED_ZONE_ID:DNS_NAME',
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
      if (!blueGreen) await confirmStandaloneMoves(deps.ui, deps.confirm, flags.yes === true, plan);
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
      const now = new Map(results.filter((r) => r.status === 'migrated').map((r) => [r.service, r.taskDefinitionArn]));
      const moves = await moveStandaloneTasks(ctx, plan, now);
      const moved = withStandaloneMoves(report, moves, results, resumeCommand(deps.argv));
      if (moved.failure && results.every((r) => r.status === 'migrated')) throw moved.failure;
      const windows = frozenWindows(plan.services, results);
      const lines = [...applyLines(results), ...gatewayLines(plan), ...standaloneResultLines(moves), ...windows.map(frozenWindowLine)];
      const done = windows.length ? { ...moved.report, data: { ...moved.report.data, frozenWindows: windows } } : moved.report;
      finishApply(deps, ctx.signal.aborted, done, results, lines, (r) => r.status === 'migrated');
    });
}
