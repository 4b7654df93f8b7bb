import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Deps } from '../runtime/context.js';
import { runRollback, type RollbackResult } from '../steps/rollback.js';
import { DEFAULT_SERVICE, resolveServiceTarget } from '../steps/service.js';
import type { Report } from '../ui/output.js';
import { checkAll, contextOf, targetFlags } from './options/common.js';
import { addWaitFlags, toWaitOptions, type WaitFlags } from './options/wait.js';

const REVISION = /^(\d+|[A-Za-z0-9_-]{1,255}:\d+|arn:[^:\s]+:ecs:[^:\s]*:\d*:task-definition\/[A-Za-z0-9_-]{1,255}:\d+)$/;

export function rollbackReport(r: RollbackResult): Report {
  const lines =
    r.action === 'unchanged'
      ? [`unchanged: ${r.service} already runs ${r.to}`]
      : [`rolled back ${r.service} from ${r.from} to ${r.to}`, ...(r.wait ? [`${r.wait.running}/${r.wait.wanted} tasks RUNNING`] : [])];
  return { data: { ...r, update: r.update ?? null, wait: r.wait ?? null }, lines };
}

export function registerRollback(program: Command, deps: Deps): void {
  addWaitFlags(program.command('rollback'))
    .description('point the service back at the revision it ran before the last update, and wait')
    .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
    .option('--to <revision>', 'revision number, family:revision or ARN (default: the one it ran before)')
    .option('--no-wait', 'return once the service is updated')
    .option('--force', 'roll back to a revision that runs envoy although App Mesh does not answer for it')
    .addHelpText(
      'after',
      `
Examples:
  meshctl rollback
  meshctl rollback --to 3 --json

"Before" is the older deployment ECS still lists, else the family's highest ACTIVE revision below the
current one. A revision that runs envoy is refused (exit 1) unless App Mesh still answers for its
virtual node: since App Mesh ended, such a task's envoy gets no configuration and its app never starts.
The refusal names the last revision without envoy; --force rolls back anyway.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<WaitFlags & { service?: string; cluster?: string; to?: string; wait?: boolean; force?: boolean }>();
      // Checked before any AWS call: a typo is exit 2 even on a bad network.
      const [, waitOptions, ctx] = checkAll(
        () => {
          if (flags.to !== undefined && !REVISION.test(flags.to))
            throw new UsageError(`--to: "${flags.to}" is not a revision number, family:revision or task definition ARN`);
        },
        () => toWaitOptions(flags),
        () => contextOf(cmd, deps),
        () => targetFlags(flags),
      );
      const target = await resolveServiceTarget(ctx, flags);
      const result = await runRollback(ctx, target, { to: flags.to, wait: flags.wait !== false, waitOptions, force: flags.force === true });
      deps.ui.result(rollbackReport(result));
    });
}
