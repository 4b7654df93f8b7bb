import type { Command } from 'commander';
import { nameOfArn, parseTaskDefinitionRef } from '../core/arn.js';
import { mapLimit } from '../core/concurrency.js';
import { CheckFailedError, CommandFailedError, InterruptedError, UsageError } from '../errors.js';
import { emptyRolloutPlan, type RolloutPlan } from '../core/rollout-plan.js';
import type { Context, Deps } from '../runtime/context.js';
import {
  ROLLOUT_STEPS,
  runServiceRollout,
  type RolloutStep,
  type ServiceRolloutOptions,
  type ServiceRolloutOutcome,
  withoutStepName,
} from '../steps/rollout-service.js';
import { DEFAULT_SERVICE, resolveServiceTarget, servicesMissing } from '../steps/service.js';
import { clusterTaskSource } from '../steps/task-source.js';
import { boardUi } from '../ui/board.js';
import type { Report } from '../ui/output.js';
import { checkAll, contextOf, distinctServices, intFlag, nameFlag, otherCommand, resumeCommand, targetFlags } from './options/common.js';
import { addOptions, type OptionDecl } from './options/declare.js';
import { addEnvoyFlags, toAddEnvoyOptions, type EnvoyFlags } from './options/envoy.js';
import { keptFlags } from './options/global.js';
import { addVerifyFlags, toVerifyOptions, type VerifyFlags } from './options/verify.js';
import { addWaitFlags, toWaitOptions, WAIT_OPTIONS, type WaitFlags } from './options/wait.js';

export const DEFAULT_CONCURRENCY = 4;

type RolloutFlags = Omit<EnvoyFlags, 'write' | 'force' | 'fromFile'> &
  WaitFlags &
  Omit<VerifyFlags, 'timeout'> & {
    cluster?: string;
    service?: string[];
    allServices?: boolean;
    concurrency?: string;
    from?: string;
    verifyTimeout?: string;
    rollbackOnFailure?: boolean;
  };

/** `{service}` in --virtual-node and --host stands for each service's name. */
const forService = (template: string, service: string) => template.replaceAll('{service}', service);

function pipelineReport(outcome: ServiceRolloutOutcome, extra: Record<string, unknown>, lines: string[]): Report {
  const { ok, steps, results, taskDefinitionArn, events, plan } = outcome;
  return {
    data: {
      ok,
      dryRun: plan !== undefined,
      plan: plan ?? null,
      steps,
      ...extra,
      taskDefinitionArn: taskDefinitionArn ?? null,
      addEnvoy: null,
      updateService: null,
      waitRunning: null,
      verify: null,
      ...results,
      events,
    },
    lines,
  };
}

/** rollout's own flags, beside add-envoy's (ENVOY_OPTIONS), verify's (VERIFY_OPTIONS) and the wait's. */
export const ROLLOUT_OPTIONS = {
  service: {
    flags: '--service <name>',
    help: `ECS service; repeat for several, rolled out side by side (default: ${DEFAULT_SERVICE})`,
    repeat: true,
  },
  allServices: { flags: '--all-services', help: 'every service in the cluster whose task definition has no envoy yet' },
  concurrency: { flags: '--concurrency <n>', help: 'services rolled out at once, with several', default: String(DEFAULT_CONCURRENCY) },
  verifyTimeout: { flags: '--verify-timeout <duration>', help: 'how long verify may take', default: '2m' },
  dryRun: { flags: '--dry-run', help: 'make every read and check, print what each step would do; register, update and send nothing' },
  rollbackOnFailure: {
    flags: '--rollback-on-failure',
    help: 'when wait-running or verify fails, point the service back at the revision it ran before, and wait',
  },
  from: { flags: '--from <step>', help: `start at this step (${ROLLOUT_STEPS.join(', ')}); printed when a step fails` },
} as const satisfies Record<string, OptionDecl>;

/**
 * The flags `meshctl rollback` shares with rollout, carried into the command that finishes a failed
 * rollback: the kept global ones, and the wait's pace and limit (not --count: rollback waits for the
 * count the service asks for).
 */
export const ROLLBACK_KEEPS = keptFlags([WAIT_OPTIONS.interval, WAIT_OPTIONS.timeout]);

/**
 * What to run after a failed rollout of one service, and how to say it. After --rollback-on-failure
 * pointed the service back, `--from <step>` would run that step on the old revision (and pass, or roll
 * back again): the rollout is retried from the start instead (each step is safe to run again; add-envoy
 * registers nothing new). When the rollback itself failed, finishing it comes first.
 */
function nextAfterFailure(
  argv: readonly string[],
  target: { cluster: string; service: string },
  step: RolloutStep,
  rolledBack: ServiceRolloutOutcome['rolledBack'],
): { command: string; label: string } {
  if (!rolledBack) return { command: resumeCommand(argv, { drop: [ROLLOUT_OPTIONS.from], add: ['--from', step] }), label: 'resume with' };
  if (rolledBack.ok)
    return { command: resumeCommand(argv, { drop: [ROLLOUT_OPTIONS.from] }), label: 'rolled back; once the cause is fixed, retry with' };
  const add = ['--cluster', target.cluster, '--service', target.service, ...(rolledBack.to ? ['--to', rolledBack.to] : [])];
  return { command: otherCommand(argv, 'rollback', ROLLBACK_KEEPS, add), label: 'the rollback failed too; finish it with' };
}

async function rolloutOne(ctx: Context, flags: RolloutFlags, opts: ServiceRolloutOptions, deps: Deps): Promise<void> {
  const target = await resolveServiceTarget(ctx, { service: flags.service?.[0], cluster: flags.cluster });
  const outcome = await runServiceRollout(ctx, target, opts);
  if (outcome.ok && opts.dryRun) {
    const lines = outcome.steps.map((s) => `  ${s.step}: ${s.status === 'skipped' ? `skipped (--from ${opts.from})` : s.detail}`);
    deps.ui.result(pipelineReport(outcome, { ...target }, [`dry run of ${target.service}: nothing registered, updated or sent`, ...lines]));
    return;
  }
  if (outcome.ok) {
    deps.ui.result(
      pipelineReport(outcome, { ...target }, [
        `rollout complete: ${target.service} runs ${outcome.taskDefinitionArn ?? 'its current revision'} and answers through envoy`,
      ]),
    );
    return;
  }
  const step = outcome.failedStep!;
  const cause = outcome.error!;
  const next = nextAfterFailure(deps.argv, target, step, outcome.rolledBack);
  const done = outcome.steps.filter((s) => s.status === 'done' || s.status === 'planned').map((s) => `  ${s.step}: ${s.detail}`);
  const rb = outcome.rolledBack;
  // A dry run that a check stops says so, with the real run's message and exit code.
  const head = opts.dryRun ? 'dry run, planned' : 'done';
  const report = pipelineReport(outcome, { ...target, failedStep: step, resumeCommand: next.command, error: cause.message }, [
    ...(done.length ? [`${head}:`, ...done] : [`${head}: nothing`]),
    `failed: ${step}`,
    ...(rb ? [rb.ok ? `rolled back: ${target.service} runs ${rb.to ?? 'its previous revision'} again` : 'rollback: failed'] : []),
  ]);
  // "verify failed: verify: …" would say the step twice: the cause's own prefix goes.
  const own = withoutStepName(step, cause.message);
  throw new CommandFailedError(
    cause,
    report,
    next.command,
    cause instanceof InterruptedError ? `interrupted during ${step}` : `${step} failed: ${own}`,
    next.label,
  );
}

interface ServiceResult {
  service: string;
  /** planned: --dry-run, every check passed. */
  status: 'done' | 'planned' | 'unchanged' | 'failed' | 'not-started';
  taskDefinitionArn?: string;
  failedStep?: RolloutStep;
  error?: string;
  steps?: ServiceRolloutOutcome['steps'];
  events: ServiceRolloutOutcome['events'];
  /** After --rollback-on-failure: whether the service was pointed back. */
  rolledBack?: boolean;
  /** With --dry-run: each step's plan; null otherwise. */
  plan: RolloutPlan | null;
}

/** Many services: the per-service pipeline with bounded concurrency, one board line per service. */
async function rolloutMany(ctx: Context, flags: RolloutFlags, opts: ServiceRolloutOptions, concurrency: number, deps: Deps): Promise<void> {
  const cluster = nameFlag(
    await ctx.cfn('cluster', flags.cluster),
    flags.cluster ? '--cluster' : `${ctx.cfnFile}: EcsClusterName`,
    'cluster',
  );
  const ecs = await ctx.aws.ecs();
  // By name: a service's ARN names it as well, and DescribeServices answers with names.
  const names = (flags.allServices ? await ecs.listServices(cluster) : flags.service!).map((s) =>
    s.startsWith('arn:') ? nameOfArn(s) : s,
  );
  const described = new Map((await ecs.describeServicesBatch(cluster, names)).map((s) => [s.serviceName!, s]));
  // A service named that the cluster does not have stops the run before any other starts (exit 3).
  const missing = names.filter((n) => !described.has(n));
  if (missing.length) throw servicesMissing(cluster, missing);
  const board = deps.ui.startBoard(names);
  const taskSource = clusterTaskSource(ecs, cluster, () => deps.clock.now());
  // Stopped whatever happens: a board left running would redraw its lines under the error and the resume.
  const results = await mapLimit(
    names,
    concurrency,
    async (service): Promise<ServiceResult> => {
      const sctx: Context = { ...ctx, ui: boardUi(ctx.ui, board, service) };
      const svc = described.get(service);
      const family = parseTaskDefinitionRef(svc?.taskDefinition ?? '')?.family;
      if (!svc || !family) {
        sctx.ui.step('add-envoy', 'fail', `service "${service}" reports no task definition`);
        return {
          service,
          status: 'failed',
          error: `service "${service}" in cluster "${cluster}" reports no task definition`,
          events: [],
          plan: opts.dryRun ? emptyRolloutPlan() : null,
        };
      }
      const outcome = await runServiceRollout(
        sctx,
        { cluster, service },
        {
          ...opts,
          envoy: {
            ...opts.envoy,
            taskDefinition: family,
            virtualNode: forService(flags.virtualNode ?? '{service}', service),
            acceptAnyExistingEnvoy: flags.allServices === true,
          },
          wait: { ...opts.wait, taskSource },
          verify: opts.verify && { ...opts.verify, target: { ...opts.verify.target, host: forService(opts.verify.target.host, service) } },
          // --all-services means the services without envoy: one that has it is left alone.
          stopIfUnchanged: flags.allServices === true,
        },
      );
      const unchanged = outcome.ok && outcome.steps.length === 1 && flags.allServices;
      return {
        service,
        status: outcome.ok ? (unchanged ? 'unchanged' : opts.dryRun ? 'planned' : 'done') : 'failed',
        taskDefinitionArn: outcome.taskDefinitionArn,
        failedStep: outcome.failedStep,
        error: outcome.error?.message,
        steps: outcome.steps,
        events: outcome.events,
        plan: outcome.plan ?? null,
        ...(outcome.rolledBack ? { rolledBack: outcome.rolledBack.ok } : {}),
      };
    },
    () => !deps.signal.aborted,
    (service): ServiceResult => {
      board.set(service, '– not started (interrupted)');
      return { service, status: 'not-started', events: [], plan: null };
    },
  ).finally(() => board.stop());
  const failed = results.filter((r) => r.status === 'failed' || r.status === 'not-started');
  const count = (s: ServiceResult['status']) => results.filter((r) => r.status === s).length;
  const summary =
    `${opts.dryRun ? `dry run: ${count('planned')} would be rolled out` : `${count('done')} rolled out`}, ` +
    `${count('unchanged')} already had envoy, ${count('failed')} failed, ${count('not-started')} not started (of ${results.length})`;
  const report: Report = {
    data: { ok: failed.length === 0, dryRun: opts.dryRun === true, cluster, summary, services: results },
    lines: [
      ...results.flatMap((r) => {
        const back = r.rolledBack === undefined ? '' : r.rolledBack ? ' (rolled back)' : ' (rollback failed)';
        const head = `${r.service}: ${r.status}${r.failedStep ? ` at ${r.failedStep}: ${r.error?.split('\n')[0]}${back}` : ''}`;
        // A dry run prints each service's plan: the steps it would take, as far as its checks let it go.
        // A step skipped for a reason (verify without --host) says it; one before --from says nothing.
        const planned = opts.dryRun
          ? (r.steps ?? [])
              .filter((s) => s.status === 'planned' || (s.status === 'skipped' && s.detail))
              .map((s) => `  ${s.step}: ${s.detail}`)
          : [];
        return [head, ...planned];
      }),
      summary,
    ],
  };
  if (failed.length === 0) return deps.ui.result(report);
  // Resume only what did not finish, each service named. A service rolled back is retried from the
  // start: --from would run its step on the old revision.
  const { allServices, service, from } = ROLLOUT_OPTIONS;
  const drop = [allServices, service, ...(failed.some((r) => r.rolledBack) ? [from] : [])];
  const resume = resumeCommand(deps.argv, { drop, add: failed.flatMap((r) => ['--service', r.service]) });
  const cause = deps.signal.aborted ? new InterruptedError(`interrupted: ${summary}`) : new CheckFailedError(summary);
  throw new CommandFailedError(cause, report, resume);
}

export function registerRollout(program: Command, deps: Deps): void {
  const { service, allServices, concurrency, verifyTimeout, dryRun, rollbackOnFailure, from } = ROLLOUT_OPTIONS;
  const rollout = addWaitFlags(program.command('rollout')).description(
    'add-envoy, update-service, wait-running and verify, in order, stopping at the first failure',
  );
  addOptions(rollout, [service, allServices, concurrency]);
  addOptions(addVerifyFlags(addEnvoyFlags(rollout)), [verifyTimeout, dryRun, rollbackOnFailure, from])
    .addHelpText(
      'after',
      `
Examples:
  meshctl rollout
  meshctl rollout --envoy-image "$ENVOY_IMAGE" --json
  meshctl rollout --from wait-running       # resume after a failed or interrupted wait
  meshctl rollout --dry-run --all-services  # each service's plan; nothing registered, updated or sent
  meshctl rollout --service orders --service payments --host '{service}.internal.local'
  meshctl rollout --all-services --concurrency 8 --skip-mesh-check --json

In --virtual-node and --host, {service} stands for the service's name. With several services,
--virtual-node defaults to {service}, and verify runs only when --host is given.

Each step prints one line on stderr (with several services, one line per service). When a step fails,
meshctl says which and prints the command that resumes from it; steps already done are safe to run
again. With several services, a failed one does not stop the others; the exit code is 0 only when all
succeeded.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<RolloutFlags>();
      const from = (flags.from ?? 'add-envoy') as RolloutStep;
      // A service named twice is one service: rolled out once, never registered twice.
      const services = distinctServices(flags.service, (m) => deps.ui.warn(m)) ?? [];
      const many = flags.allServices === true || services.length > 1;
      // Every flag is checked before the first AWS call, all in one pass; templates are checked with a sample name.
      const sample = (v: string | undefined) => (v === undefined ? undefined : forService(v, 'service'));
      // One service fills the templates with its own name (from --service, meshctl.yaml's services, or the default).
      const fill = (v: string | undefined) =>
        v === undefined ? undefined : forService(v, many ? 'service' : nameOfArn(services[0] ?? DEFAULT_SERVICE));
      const [, , concurrency, , envoy, verify, wait, ctx] = checkAll(
        () => {
          if (!ROLLOUT_STEPS.includes(from))
            throw new UsageError(`--from: "${flags.from}" is not a step; use one of ${ROLLOUT_STEPS.join(', ')}`);
        },
        () => {
          if (flags.allServices && services.length) throw new UsageError('--all-services and --service both choose the services; pass one');
        },
        () => intFlag(flags.concurrency, '--concurrency', 1, 50)!,
        () => toAddEnvoyOptions({ ...flags, virtualNode: sample(flags.virtualNode) }),
        () => toAddEnvoyOptions({ ...flags, virtualNode: many ? undefined : fill(flags.virtualNode), dryRun: false }),
        () => toVerifyOptions({ ...flags, timeout: flags.verifyTimeout, host: sample(flags.host) }, '--verify-timeout'),
        () => toWaitOptions(flags),
        () => contextOf(cmd, deps),
        () => targetFlags({ service: services, cluster: flags.cluster }),
      );
      verify.target.host = (many ? flags.host : fill(flags.host)) ?? verify.target.host;
      const opts: ServiceRolloutOptions = {
        from,
        envoy,
        wait,
        verify: many && flags.host === undefined ? undefined : verify,
        rollbackOnFailure: flags.rollbackOnFailure === true,
        dryRun: flags.dryRun === true,
      };
      flags.service = services.length ? services : undefined;
      if (many) await rolloutMany(ctx, flags, opts, concurrency, deps);
      else await rolloutOne(ctx, flags, opts, deps);
    });
}
