import type { Command } from 'commander';
import type { Deps } from '../runtime/context.js';
import { DEFAULT_SERVICE, resolveRevision, resolveServiceTarget, runUpdateService, type UpdateServiceResult } from '../steps/service.js';
import type { Report } from '../ui/output.js';
import { parseTaskDefinitionRef } from '../core/arn.js';
import { UsageError } from '../errors.js';
import { checkAll, contextOf, targetFlags } from './options/common.js';

export function updateServiceReport(r: UpdateServiceResult): Report {
  const d = r.deployment;
  return {
    data: { ...r, desiredCount: r.desiredCount ?? null, deployment: r.deployment ?? null },
    lines: [
      `service ${r.service} (cluster ${r.cluster}) now runs ${r.taskDefinitionArn}`,
      d ? `deployment ${d.id ?? '?'} ${d.status ?? ''}${d.rolloutState ? ` ${d.rolloutState}` : ''}`.trimEnd() : 'no deployment reported',
    ],
  };
}

export function registerUpdateService(program: Command, deps: Deps): void {
  program
    .command('update-service')
    .description('point the ECS service at the latest revision of its own task definition family (or --task-definition)')
    .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
    .addHelpText(
      'after',
      '\nExamples:\n  meshctl update-service\n  meshctl update-service --service crystal-service-lb --task-definition crystal-task:7',
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ service?: string; cluster?: string; taskDefinition?: string }>();
      const [ctx] = checkAll(
        () => contextOf(cmd, deps),
        () => targetFlags(flags),
        () => {
          if (flags.taskDefinition !== undefined && !parseTaskDefinitionRef(flags.taskDefinition))
            throw new UsageError(`--task-definition: "${flags.taskDefinition}" is not a task definition ARN, family:revision or family`);
        },
      );
      const target = await resolveServiceTarget(ctx, flags);
      const arn = await resolveRevision(ctx, target, flags.taskDefinition);
      deps.ui.result(updateServiceReport(await runUpdateService(ctx, target, arn)));
    });
}
