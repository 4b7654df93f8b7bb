import type { Command } from 'commander';
import { formatChanges } from '../core/json-diff.js';
import { CommandFailedError, MeshctlError } from '../errors.js';
import type { Deps } from '../steps/context.js';
import { applyMigration, planMigration, type MigrateResult } from '../steps/migrate.js';
import { DEFAULT_SERVICE, resolveServiceTarget } from '../steps/service.js';
import type { Report } from '../ui/output.js';
import { contextOf } from './options/common.js';
import { addWaitFlags, toWaitOptions, type WaitFlags } from './options/wait.js';

interface MigrateFlags extends WaitFlags {
  service?: string;
  cluster?: string;
  namespace?: string;
  appContainer?: string;
  dryRun?: boolean;
  wait?: boolean;
}

export function migrateReport(r: MigrateResult): Report {
  const lines: string[] = [];
  if (r.action === 'unchanged') lines.push(`unchanged: ${r.service} runs ${r.previousTaskDefinitionArn} without envoy; nothing to migrate`);
  else {
    const head = { planned: 'plan', 'dry-run': 'dry run', migrated: 'migrated' }[r.action];
    lines.push(`${head}: ${r.service} from App Mesh (${r.virtualNode}) to Service Connect in namespace ${r.namespace}`);
    for (const s of r.serviceConnectConfiguration?.services ?? []) {
      lines.push(`  service ${s.discoveryName}: port ${s.portName} as ${s.clientAliases?.map((a) => `${a.dnsName}:${a.port}`).join(', ')}`);
    }
    for (const b of r.backends ?? []) lines.push(`  backend ${b.reachAs}`);
    lines.push('task definition changes:', ...formatChanges(r.changes ?? []).map((l) => `  ${l}`));
    for (const u of r.unsupported ?? []) lines.push(`no equivalent: ${u.feature}: ${u.detail}; ${u.suggestion}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.action === 'migrated') {
    lines.push(`now runs ${r.taskDefinitionArn}${r.wait ? ` (${r.wait.running}/${r.wait.wanted} RUNNING)` : ''}`);
    lines.push(`back to App Mesh: meshctl rollback --service ${r.service} --to ${r.previousTaskDefinitionArn}`);
  }
  return { data: { ...r }, lines };
}

export function registerMigrate(program: Command, deps: Deps): void {
  const migrate = program.command('migrate').description('move a service from App Mesh to ECS Service Connect, planned and reversible');
  const common = (cmd: Command) =>
    cmd
      .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
      .option('--namespace <name>', "Cloud Map namespace for Service Connect (default: the one the virtual node used)")
      .option('--app-container <name>', 'application container (default: the first that is not envoy)');
  common(migrate.command('plan'))
    .description('print the Service Connect equivalent of the service: namespace, named ports, serviceConnectConfiguration, the new task definition as a diff')
    .addHelpText('after', '\nExamples:\n  meshctl migrate plan\n  meshctl migrate plan --service products --json')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateFlags>();
      const ctx = contextOf(cmd, deps);
      const target = await resolveServiceTarget(ctx, flags);
      deps.ui.result(migrateReport((await planMigration(ctx, target, flags)).result));
    });
  addWaitFlags(common(migrate.command('apply')))
    .description('register the envoy-free revision, update the service with Service Connect, and wait')
    .option('--dry-run', 'plan only; change nothing')
    .option('--no-wait', 'return once the service is updated')
    .addHelpText(
      'after',
      `
Examples:
  meshctl migrate apply --dry-run
  meshctl migrate apply --service products --json

The output keeps the App Mesh revision's ARN: meshctl rollback --to <it> returns to App Mesh (and
turns Service Connect off). Running it again after a migration changes nothing.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateFlags>();
      const waitOptions = toWaitOptions(flags);
      const ctx = contextOf(cmd, deps);
      const target = await resolveServiceTarget(ctx, flags);
      const planned = await planMigration(ctx, target, flags);
      const { result, plan } = planned;
      if (!plan || result.action === 'unchanged') return deps.ui.result(migrateReport(result));
      if (flags.dryRun) return deps.ui.result(migrateReport({ ...result, action: 'dry-run' }));
      const seen: { migrated?: MigrateResult } = {};
      let migrated: MigrateResult;
      try {
        migrated = await applyMigration(ctx, target, { result, plan }, flags.wait === false ? undefined : waitOptions, seen);
      } catch (err) {
        if (!(err instanceof MeshctlError) || !seen.migrated) throw err;
        const back = `meshctl rollback --service ${target.service} --to ${result.previousTaskDefinitionArn}`;
        throw new CommandFailedError(err, migrateReport(seen.migrated), undefined, `${err.message}\nthe service already runs ${seen.migrated.taskDefinitionArn}; back to App Mesh: ${back}`);
      }
      deps.ui.result(migrateReport(migrated));
    });
}
