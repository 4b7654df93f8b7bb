import type { Command } from 'commander';
import { formatDuration } from '../core/duration.js';
import { CommandFailedError, MeshctlError } from '../errors.js';
import type { Deps } from '../runtime/context.js';
import { DEFAULT_SERVICE, resolveServiceTarget } from '../steps/service.js';
import { runWaitRunning, type WaitResult, type WaitSeen } from '../steps/wait-running.js';
import type { Report } from '../ui/output.js';
import { checkAll, contextOf, targetFlags } from './options/common.js';
import { addWaitFlags, toWaitOptions, type WaitFlags } from './options/wait.js';

export function waitReport(r: WaitResult, ok = true): Report {
  return {
    data: { ok, ...r },
    lines: [`${r.running}/${r.wanted} tasks of ${r.taskDefinitionArn} RUNNING after ${formatDuration(r.elapsedMs)}`],
  };
}

export function registerWaitRunning(program: Command, deps: Deps): void {
  addWaitFlags(program.command('wait-running'))
    .description("wait until the service's tasks of its current revision are RUNNING")
    .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
    .addHelpText('after', '\nExamples:\n  meshctl wait-running\n  meshctl wait-running --count 3 --timeout 5m --json')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<WaitFlags & { service?: string; cluster?: string }>();
      const [opts, ctx] = checkAll(
        () => toWaitOptions(flags),
        () => contextOf(cmd, deps),
        () => targetFlags(flags),
      );
      const target = await resolveServiceTarget(ctx, flags);
      const seen: WaitSeen = {};
      try {
        deps.ui.result(waitReport(await runWaitRunning(ctx, target, opts, seen)));
      } catch (err) {
        if (err instanceof MeshctlError && seen.last) throw new CommandFailedError(err, waitReport(seen.last, false));
        throw err;
      }
    });
}
