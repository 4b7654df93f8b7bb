import type { Command } from 'commander';
import type { ServiceVerdict } from '../../core/migrate/verify.js';
import { nameOfArn } from '../../core/arn.js';
import { CheckFailedError, CommandFailedError, UsageError } from '../../errors.js';
import type { Deps } from '../../runtime/context.js';
import { verifyMigration } from '../../steps/migrate-verify.js';
import { DEFAULT_SERVICE, resolveServiceTarget } from '../../steps/service.js';
import type { Report } from '../../ui/output.js';
import { textTable } from '../../ui/table.js';
import { checkAll, collect, contextOf, distinctServices, targetFlags } from '../options/common.js';
import { toVerifyServiceConnectOptions } from '../options/verify.js';
import { greenNameFlag } from './flags.js';

interface MigrateVerifyFlags {
  service?: string[];
  allServices?: boolean;
  cluster?: string;
  window?: string;
  max5xxRatio?: string;
  greenName?: string;
}

function deploymentCell(v: ServiceVerdict): string {
  const d = v.deployment;
  if (!d) return '(none)';
  const counts = d.running !== null && d.desired !== null ? ` ${d.running}/${d.desired}` : '';
  return `${d.state ?? '?'}${counts}${d.source === 'deployments' ? ' (deployments[])' : ''}`;
}

function tasksCell(v: ServiceVerdict): string {
  const t = v.tasks;
  const health = [t.healthy ? `${t.healthy} healthy` : '', t.unhealthy ? `${t.unhealthy} UNHEALTHY` : ''].filter(Boolean);
  const stopped = t.stopped.length ? `, ${t.stopped.length} stopped` : '';
  return `${t.running}/${t.desired} running${health.length ? ` (${health.join(', ')})` : ''}${stopped}`;
}

function serviceConnectCell(v: ServiceVerdict): string {
  const sc = v.serviceConnect;
  if (!sc?.enabled) return '(not reported)';
  const names = sc.services.map((s) => s.clientAliases.join(',') || s.discoveryName || s.portName).join(' ');
  return `${sc.namespace ? nameOfArn(sc.namespace) : '?'}: ${names || '(client only)'}`;
}

const TRAFFIC_CELL = { passed: '✔ passed', failed: '✖ failed', 'not-run': '– not run' } as const;

/** One table (service, deployment, tasks, Service Connect, traffic, verdict), then each service's problems and stopped tasks. */
export function migrateVerifyReport(cluster: string, verdicts: ServiceVerdict[]): Report {
  const header = ['service', 'deployment', 'tasks', 'service connect', 'traffic', 'verdict'];
  const rows = verdicts.map((v) => [
    v.blue ? `${v.blue} → ${v.service}` : v.service,
    deploymentCell(v),
    tasksCell(v),
    serviceConnectCell(v),
    TRAFFIC_CELL[v.traffic.status],
    v.ok ? 'healthy' : 'NOT HEALTHY',
  ]);
  const fallbacks = [...new Set(verdicts.map((v) => v.deployment?.fallback).filter((f): f is string => !!f))];
  const details = verdicts.flatMap((v) => [
    ...v.problems.map((p) => `✖ ${v.service}: ${p}`),
    ...v.tasks.stopped.map(
      (s) =>
        `· ${v.service}: task ${s.task} stopped: ${s.reason ?? 'no reason given'}${s.containers.length ? ` (${s.containers.join('; ')})` : ''}`,
    ),
    ...(v.traffic.status === 'not-run' ? [`· ${v.service}: traffic not checked: ${v.traffic.detail}`] : []),
  ]);
  const unhealthy = verdicts.filter((v) => !v.ok).length;
  return {
    data: { ok: unhealthy === 0 && verdicts.length > 0, cluster, services: verdicts },
    lines: [
      ...(verdicts.length ? textTable(header, rows) : [`no migrated service in cluster ${cluster}: none shows Service Connect`]),
      ...details,
      ...fallbacks.map((f) => `note: ${f}; the service's deployments[] (DescribeServices) are shown instead`),
      ...(verdicts.length
        ? [unhealthy ? `${unhealthy} of ${verdicts.length} services not healthy` : `all ${verdicts.length} services healthy`]
        : []),
    ],
  };
}

export function registerVerify(migrate: Command, deps: Deps): void {
  migrate
    .command('verify')
    .description(
      "after apply: each migrated service's deployment, tasks, Service Connect settings as ECS reports them and its Service Connect " +
        'traffic, in one table; exit 1 when one is not healthy',
    )
    .option(
      '--service <name>',
      `ECS service (blue/green: the blue one, whose green is verified); repeat for several (default: ${DEFAULT_SERVICE})`,
      collect,
    )
    .option('--all-services', 'every service of the cluster that ECS shows on Service Connect, and every green meshctl created')
    .option('--green-name <name>', 'with one --service: its green, when apply named it so (default: <name>-sc)')
    .option('--window <duration>', "the traffic check's CloudWatch window, at least 1m (default: 5m)")
    .option('--max-5xx-ratio <ratio>', "the traffic check's largest share of 5xx responses that passes, 0.01 or 1% (default: 1%)")
    .addHelpText(
      'after',
      `
Examples:
  meshctl migrate verify --all-services
  meshctl migrate verify --service payments --service products --window 10m --json

For each service: the deployment ECS made (ListServiceDeployments and DescribeServiceDeployments; where ECS
does not answer them, the service's deployments[], and the output says so), its tasks (running, healthy,
stopped with ECS's reasons), the Service Connect configuration of its PRIMARY deployment, and the traffic
check of verify --service-connect (CloudWatch metrics of the names it serves). A service is healthy when it
runs no envoy, ECS shows Service Connect, the deployment finished without failed tasks or a rollback, every
desired task of its revision runs (none UNHEALTHY, none of an older revision left), and the traffic check
passed. Exit 0 when every service is healthy, else 1.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateVerifyFlags>();
      const selected = distinctServices(flags.service, (m) => deps.ui.warn(m)) ?? [];
      const [check, ctx] = checkAll(
        () => toVerifyServiceConnectOptions({ window: flags.window, max5xxRatio: flags.max5xxRatio }),
        () => contextOf(cmd, deps),
        () => targetFlags({ service: selected, cluster: flags.cluster }),
        () => {
          if (flags.allServices && selected.length) throw new UsageError('--all-services and --service both choose the services; pass one');
        },
        () => flags.greenName !== undefined && greenNameFlag(flags.greenName, selected),
      );
      const { cluster } = await resolveServiceTarget(ctx, { cluster: flags.cluster });
      // By name: a service's ARN names it as well.
      const services = flags.allServices ? undefined : (selected.length ? selected : [DEFAULT_SERVICE]).map((s) => nameOfArn(s));
      const verdicts = await verifyMigration(ctx, {
        cluster,
        services,
        defaulted: !flags.allServices && selected.length === 0,
        ...(flags.greenName !== undefined ? { greenName: flags.greenName } : {}),
        windowMs: check.windowMs,
        max5xxRatio: check.max5xxRatio,
      });
      const report = migrateVerifyReport(cluster, verdicts);
      if (report.data.ok) return deps.ui.result(report);
      const bad = verdicts.filter((v) => !v.ok).map((v) => v.service);
      const message = verdicts.length
        ? `${bad.length} of ${verdicts.length} services not healthy: ${bad.join(', ')} (✖ above)`
        : `no migrated service to verify in cluster ${cluster}`;
      throw new CommandFailedError(new CheckFailedError(message), report);
    });
}
