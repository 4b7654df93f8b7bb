import type { Command } from 'commander';
import { CHECKS, checklistOf, runChecks, type CheckResult, type Checklist } from '../core/doctor/checks.js';
import { CheckFailedError, CommandFailedError } from '../errors.js';
import type { Deps } from '../runtime/context.js';
import { gatherFacts } from '../steps/doctor.js';
import { DEFAULT_SERVICE, resolveServiceTarget, type ServiceTarget } from '../steps/service.js';
import type { Report } from '../ui/output.js';
import { checkAll, contextOf, targetFlags } from './options/common.js';

const CHECKLIST_NAMES: Record<Checklist, string> = { 'app-mesh': 'App Mesh', 'service-connect': 'Service Connect' };

export function doctorReport(target: ServiceTarget, checklist: Checklist, checks: CheckResult[]): Report {
  const mark = { pass: '✔', fail: '✖', warn: '!', skip: '–' };
  const count = (status: CheckResult['status']) => checks.filter((c) => c.status === status).length;
  const [failed, warned, ran] = [count('fail'), count('warn'), checks.filter((c) => c.status !== 'skip').length];
  const why = checklist === 'app-mesh' ? 'it runs envoy' : 'it runs no envoy';
  return {
    data: { ok: failed === 0, ...target, checklist, checks },
    lines: [
      `${CHECKLIST_NAMES[checklist]} checks for ${target.service} in ${target.cluster} (${why}):`,
      ...checks.flatMap((c) => [`${mark[c.status]} ${c.title}: ${c.detail}`, ...(c.fix ? [`    fix: ${c.fix}`] : [])]),
      failed
        ? `${failed} of ${ran} checks failed`
        : warned
          ? `no check failed; ${warned} of ${ran} warned`
          : `all ${count('pass')} checks passed`,
    ],
  };
}

/** The help's list of one checklist's checks, from the one table of titles. */
function helpList(checklist: Checklist): string {
  const rows = Object.entries(CHECKS).filter(([, c]) => c.checklist === checklist);
  const width = Math.max(...rows.map(([id]) => id.length));
  return rows.map(([id, c]) => `  ${id.padEnd(width)}  ${c.title}`).join('\n');
}

export function registerDoctor(program: Command, deps: Deps): void {
  program
    .command('doctor')
    .description(
      "check a service's set-up: App Mesh's while it runs envoy, Service Connect's after meshctl migrate; a fix for each failure",
    )
    .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
    .addHelpText(
      'after',
      `
Examples:
  meshctl doctor
  meshctl doctor --service products --json
  meshctl doctor --service payments          (after meshctl migrate apply --service payments)

A service whose task definition has an envoy container (App Mesh):
${helpList('app-mesh')}
When App Mesh cannot be read (it ended on 2026-09-30: access denied, gone, unreachable), one line says
so, the checks that need it are skipped and the others run.

A service without envoy (Service Connect):
${helpList('service-connect')}
Backends are the names the app's environment values call (PAYMENT_ENDPOINT=http://payments.local:5000).
Without a serviceConnectConfiguration in the service's answer, one line says so and the port and role
checks run.

Exit 1 when any check fails (a warning does not fail), 3 when AWS refuses a call doctor needs.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ service?: string; cluster?: string }>();
      const [ctx] = checkAll(
        () => contextOf(cmd, deps),
        () => targetFlags(flags),
      );
      const target = await resolveServiceTarget(ctx, flags);
      const facts = await gatherFacts(ctx, target);
      const checks = runChecks(facts);
      const report = doctorReport(target, checklistOf(facts.described), checks);
      const failed = checks.filter((c) => c.status === 'fail');
      if (failed.length === 0) return deps.ui.result(report);
      throw new CommandFailedError(
        new CheckFailedError(`doctor: ${failed.map((c) => c.id).join(', ')} failed; each has a fix above`),
        report,
      );
    });
}
