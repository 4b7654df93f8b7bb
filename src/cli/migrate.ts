import type { Command } from 'commander';
import { planCluster, type ClusterPlan, type Finding } from '../core/cluster-plan.js';
import { CheckFailedError, CommandFailedError, InterruptedError, UsageError } from '../errors.js';
import type { Deps } from '../steps/context.js';
import {
  applyClusterPlan,
  backendsLeftBehind,
  gatherCluster,
  planSummary,
  selectPlan,
  type ServiceMigration,
} from '../steps/migrate-cluster.js';
import { DEFAULT_SERVICE, resolveServiceTarget } from '../steps/service.js';
import type { Report } from '../ui/output.js';
import { collect, contextOf, intFlag, nameFlag, resumeCommand } from './options/common.js';
import { addWaitFlags, toWaitOptions, type WaitFlags } from './options/wait.js';

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
}

export const DEFAULT_MIGRATE_CONCURRENCY = 4;
const APP_PROTOCOLS = ['http', 'http2', 'grpc'] as const;

/** Every flag checked before the first AWS call. */
function toMigrateOptions(flags: MigrateFlags) {
  const services = [...new Set(flags.service ?? [])];
  if (flags.allServices && services.length) throw new UsageError('--all-services and --service both choose the services; pass one');
  for (const s of services) nameFlag(s, '--service');
  const appProtocol = flags.appProtocol;
  if (appProtocol !== undefined && !APP_PROTOCOLS.includes(appProtocol as never)) {
    throw new UsageError(`--app-protocol: "${appProtocol}" is not one of ${APP_PROTOCOLS.join(', ')}`);
  }
  return {
    selection: flags.allServices ? undefined : services.length ? services : [DEFAULT_SERVICE],
    concurrency: intFlag(flags.concurrency ?? String(DEFAULT_MIGRATE_CONCURRENCY), '--concurrency', 1, 50)!,
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
async function readAndPlan(cmd: Command, deps: Deps, flags: MigrateFlags, opts: ReturnType<typeof toMigrateOptions>) {
  const ctx = contextOf(cmd, deps);
  const { cluster } = await resolveServiceTarget(ctx, { cluster: flags.cluster });
  const gathered = await gatherCluster(ctx, { cluster, sources: opts.sources, overrides: opts.overrides, concurrency: opts.concurrency });
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
      const { plan, report } = await readAndPlan(cmd, deps, flags, toMigrateOptions(flags));
      if (!plan.ok)
        throw new CommandFailedError(new CheckFailedError('the plan has errors (✖ above); fix them or pass the flags they name'), report);
      deps.ui.result(report);
    });
  addWaitFlags(addPlanFlags(migrate.command('apply')))
    .description('run the plan wave by wave: register each envoy-free revision once, update the service with Service Connect, wait')
    .option('--dry-run', 'read and check everything, change nothing')
    .option('--no-wait', 'do not wait for the new tasks (the next wave then starts at once)')
    .option('--force', 'migrate a client although its servers still run envoy')
    .addHelpText(
      'after',
      `
Examples:
  meshctl migrate apply --all-services
  meshctl migrate apply --all-services --from-cloudformation mesh-stack.yaml --create-namespace --json
  meshctl migrate apply --service payments

A failed wave stops the run; the next waves do not start, and the same command resumes (services already
on Service Connect are left as they are). Migrating a client whose servers still run envoy is refused
unless --force. The output names each service's App Mesh revision and its Service Connect one.
${SOURCES_HELP}`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateFlags>();
      const opts = toMigrateOptions(flags);
      const wait = flags.wait === false ? undefined : toWaitOptions(flags);
      const { ctx, cluster, full, plan, current, report } = await readAndPlan(cmd, deps, flags, opts);
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
      if (flags.dryRun)
        return deps.ui.result({
          ...report,
          data: { ...report.data, dryRun: true },
          lines: ['dry run: nothing was changed', ...report.lines],
        });
      const createNamespaces = opts.overrides.createNamespace
        ? [...new Set(plan.services.filter((s) => s.status === 'migrate' && !s.namespaceExists && s.namespace).map((s) => s.namespace!))]
        : [];
      const results = await applyClusterPlan(ctx, plan, { cluster, concurrency: opts.concurrency, wait, createNamespaces, current });
      const failed = results.filter((r) => r.status !== 'migrated');
      const next = failed.length ? resumeCommand(deps.argv) : null;
      const data = { ...report.data, ok: failed.length === 0, results, resumeCommand: next };
      const done: Report = { data, lines: [...report.lines, ...applyLines(results)] };
      if (!next) return deps.ui.result(done);
      const cause = ctx.signal.aborted
        ? new InterruptedError('interrupted between waves')
        : new CheckFailedError(
            `${failed.length} of ${results.length} services did not migrate; the waves after the failed one did not start`,
          );
      throw new CommandFailedError(cause, done, next);
    });
}
