import type { Command } from 'commander';
import { CheckFailedError, CommandFailedError } from '../../errors.js';
import type { Deps } from '../../runtime/context.js';
import { checkAll, contextOf, distinctServices, targetFlags } from '../options/common.js';
import { readAndPlan, parityFailures } from './cluster-plan.js';
import { addPlanFlags, failOnFlag, SOURCES_HELP, toMigrateOptions, type MigrateFlags } from './flags.js';

export function registerPlan(migrate: Command, deps: Deps): void {
  addPlanFlags(migrate.command('plan'))
    .option('--fail-on <level>', 'exit 1 when a parity row is lost, or approximated (or lost): a gate for CI')
    .description('print the waves (servers first) and, for each service, its namespace, alias, backends and findings; changes nothing')
    .addHelpText(
      'after',
      `
Examples:
  meshctl migrate plan
  meshctl migrate plan --all-services --json
  meshctl migrate plan --all-services --from-cloudformation mesh-stack.yaml
  meshctl migrate plan --all-services --fail-on lost
${SOURCES_HELP}`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<MigrateFlags>();
      flags.service = distinctServices(flags.service, (m) => deps.ui.warn(m));
      const [opts, ctx, , failOn] = checkAll(
        () => toMigrateOptions(flags),
        () => contextOf(cmd, deps),
        () => targetFlags({ cluster: flags.cluster }),
        () => failOnFlag(flags.failOn),
      );
      const { plan, report } = await readAndPlan(ctx, flags, opts);
      if (!plan.ok)
        throw new CommandFailedError(new CheckFailedError('the plan has errors (✖ above); fix them or pass the flags they name'), report);
      const failing = failOn ? parityFailures(plan, failOn) : [];
      if (failing.length) throw new CommandFailedError(new CheckFailedError(`--fail-on ${failOn}: ${failing.join('; ')}`), report);
      deps.ui.result(report);
    });
}
