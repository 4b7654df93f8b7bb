import type { Command } from 'commander';
import { nameOfArn } from '../../core/arn.js';
import type { Deps } from '../../runtime/context.js';
import { gatherCleanup, runCleanup } from '../../steps/migrate-cleanup.js';
import { resolveServiceTarget } from '../../steps/service.js';
import { checkAll, contextOf, intFlag, targetFlags } from '../options/common.js';

export function registerCleanup(migrate: Command, deps: Deps): void {
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
