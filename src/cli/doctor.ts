import type { Command } from 'commander';
import { runChecks, type CheckResult } from '../core/doctor.js';
import { CheckFailedError, CommandFailedError } from '../errors.js';
import type { Deps } from '../steps/context.js';
import { gatherFacts } from '../steps/doctor.js';
import { DEFAULT_SERVICE, resolveServiceTarget, type ServiceTarget } from '../steps/service.js';
import type { Report } from '../ui/output.js';
import { contextOf } from './options/common.js';

export function doctorReport(target: ServiceTarget, checks: CheckResult[]): Report {
  const mark = { pass: '✔', fail: '✖', warn: '!', skip: '–' };
  const failed = checks.filter((c) => c.status === 'fail').length;
  return {
    data: { ok: failed === 0, ...target, checks },
    lines: [
      ...checks.flatMap((c) => [`${mark[c.status]} ${c.title}: ${c.detail}`, ...(c.fix ? [`    fix: ${c.fix}`] : [])]),
      failed ? `${failed} of ${checks.length} checks failed` : `all ${checks.filter((c) => c.status === 'pass').length} checks passed`,
    ],
  };
}

export function registerDoctor(program: Command, deps: Deps): void {
  program
    .command('doctor')
    .description("check a service's App Mesh set-up before or after a rollout; a fix for each failure")
    .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
    .addHelpText(
      'after',
      `
Examples:
  meshctl doctor
  meshctl doctor --service products --json

Checks: the task role allows appmesh:StreamAggregatedResources (AWSAppMeshEnvoyAccess or equivalent);
the virtual node envoy names exists; its listener port is among AppPorts and the app's ports; its
Cloud Map service is the ECS service's registry; awsvpc; envoy's user is IgnoredUID; the app waits for
envoy HEALTHY; EgressIgnoredIPs holds the metadata addresses; the envoy image is in the task's region.
Exit 1 when any check fails.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ service?: string; cluster?: string }>();
      const ctx = contextOf(cmd, deps);
      const target = await resolveServiceTarget(ctx, flags);
      const checks = runChecks(await gatherFacts(ctx, target));
      const report = doctorReport(target, checks);
      const failed = checks.filter((c) => c.status === 'fail');
      if (failed.length === 0) return deps.ui.result(report);
      throw new CommandFailedError(
        new CheckFailedError(`doctor: ${failed.map((c) => c.id).join(', ')} failed; each has a fix above`),
        report,
      );
    });
}
