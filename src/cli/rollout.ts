import type { Command } from 'commander';
import { parseTaskDefinitionRef } from '../core/arn.js';
import { InterruptedError, MeshctlError, StepFailedError, UsageError } from '../errors.js';
import type { Report } from '../ui/output.js';
import { DEFAULT_MESH, DEFAULT_VIRTUAL_NODE, runAddEnvoy, toAddEnvoyOptions, type AddEnvoyFlags } from './add-envoy.js';
import { createContext, resumeCommand, type Deps } from './context.js';
import { runRollback } from './rollback.js';
import { DEFAULT_SERVICE, resolveRevision, resolveServiceTarget, runUpdateService, type ServiceTarget, type UpdateServiceFlags, type UpdateServiceResult } from './update-service.js';
import { assertVerified, runVerify, toVerifyOptions, type VerifyFlags } from './verify.js';
import { runWaitRunning, toWaitOptions, type WaitRunningFlags } from './wait-running.js';

export const ROLLOUT_STEPS = ['add-envoy', 'update-service', 'wait-running', 'verify'] as const;
export type RolloutStep = (typeof ROLLOUT_STEPS)[number];

type RolloutFlags = Omit<AddEnvoyFlags, 'dryRun' | 'write' | 'force' | 'fromFile'> &
  UpdateServiceFlags &
  WaitRunningFlags &
  Omit<VerifyFlags, 'timeout'> & { from?: string; verifyTimeout?: string; rollbackOnFailure?: boolean };

export interface StepRecord {
  step: RolloutStep;
  status: 'done' | 'skipped' | 'failed';
  detail?: string;
}

function rolloutReport(ok: boolean, steps: StepRecord[], extra: Record<string, unknown>, lines: string[]): Report {
  return { data: { ok, steps, ...extra }, lines };
}

export function registerRollout(program: Command, deps: Deps): void {
  program
    .command('rollout')
    .description('add-envoy, update-service, wait-running and verify, in order, stopping at the first failure')
    .option('--mesh <name>', `App Mesh mesh name (default: ${DEFAULT_MESH})`)
    .option('--virtual-node <name>', `virtual node (default: ${DEFAULT_VIRTUAL_NODE})`)
    .option('--envoy-image <image>', "envoy image (default: the workshop's, out of date)")
    .option('--app-container <name>', 'application container (default: the first)')
    .option('--app-ports <ports>', "ports envoy intercepts (default: the app container's ports, else 3000)")
    .option('--diff', 'show what add-envoy changes')
    .option('--skip-mesh-check', 'do not check that the virtual node exists')
    .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
    .option('--count <n>', "tasks that must be RUNNING (default: the service's desiredCount)")
    .option('--interval <duration>', 'longest pause between polls', '10s')
    .option('--timeout <duration>', 'how long wait-running may take', '10m')
    .option('--instance-id <id>', 'instance verify runs on')
    .option('--host <name>', 'host verify resolves')
    .option('--port <port>', 'port verify curls')
    .option('--path <path>', 'path verify curls')
    .option('--expect-header <name=value>', 'header verify expects (default: server=envoy)')
    .option('--verify-timeout <duration>', 'how long verify may take', '2m')
    .option('--rollback-on-failure', 'when wait-running or verify fails, point the service back at the revision it ran before, and wait')
    .option('--from <step>', `start at this step (${ROLLOUT_STEPS.join(', ')}); printed when a step fails`)
    .addHelpText(
      'after',
      `
Examples:
  meshctl rollout
  meshctl rollout --envoy-image "$ENVOY_IMAGE" --json
  meshctl rollout --from wait-running       # resume after a failed or interrupted wait

Each step prints one line on stderr. When a step fails, meshctl says which and prints the command that
resumes from it; steps already done are safe to run again.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<RolloutFlags>();
      const from = (flags.from ?? 'add-envoy') as RolloutStep;
      if (!ROLLOUT_STEPS.includes(from)) throw new UsageError(`--from: "${flags.from}" is not a step; use one of ${ROLLOUT_STEPS.join(', ')}`);
      // Every flag is checked before the first AWS call.
      const envoyOpts = toAddEnvoyOptions({ ...flags, dryRun: false });
      const waitOpts = toWaitOptions(flags);
      const verifyOpts = toVerifyOptions({ ...flags, timeout: flags.verifyTimeout });
      const ctx = createContext(cmd, deps);
      const { ui } = deps;
      const steps: StepRecord[] = [];
      const extra: Record<string, unknown> = {};
      const starts = ROLLOUT_STEPS.indexOf(from);
      let current: RolloutStep = from;
      const run = async <T>(step: RolloutStep, work: () => Promise<{ value: T; detail: string }>): Promise<T | undefined> => {
        if (ROLLOUT_STEPS.indexOf(step) < starts) {
          steps.push({ step, status: 'skipped' });
          ui.step(step, 'skip', `skipped (--from ${from})`);
          return undefined;
        }
        current = step;
        ctx.checkpoint();
        ui.step(step, 'start');
        const { value, detail } = await work();
        steps.push({ step, status: 'done', detail });
        ui.step(step, 'ok', detail);
        return value;
      };
      let target: ServiceTarget | undefined;
      let updated: UpdateServiceResult | undefined;
      const rollBackAfter = async (step: RolloutStep): Promise<Record<string, unknown>> => {
        ui.warn(`${step} failed; rolling back (--rollback-on-failure)`);
        ui.step('rollback', 'start');
        try {
          const rb = await runRollback(ctx, target!, { to: updated?.previousTaskDefinitionArn, wait: true, waitOptions: { ...waitOpts, count: undefined } });
          ui.step('rollback', 'ok', `${rb.service} → ${rb.to}`);
          return { ok: true, ...rb };
        } catch (rbErr) {
          ui.step('rollback', 'fail', (rbErr as Error).message);
          return { ok: false, error: (rbErr as Error).message };
        }
      };
      try {
        target = await resolveServiceTarget(ctx, flags);
        Object.assign(extra, target);
        const added = await run('add-envoy', async () => {
          const { result } = await runAddEnvoy(ctx, envoyOpts);
          extra.addEnvoy = result;
          return { value: result, detail: result.action === 'registered' ? `registered ${result.taskDefinitionArn}` : `unchanged ${result.taskDefinitionArn}` };
        });
        updated = await run('update-service', async () => {
          // The ARN add-envoy registered or described; resuming, the family's latest revision.
          const family = flags.taskDefinition ? parseTaskDefinitionRef(flags.taskDefinition)?.family : undefined;
          const arn = added?.taskDefinitionArn ?? (await resolveRevision(ctx, family));
          const result = await runUpdateService(ctx, target!, arn);
          extra.updateService = result;
          return { value: result, detail: `${target!.service} → ${result.taskDefinitionArn}${result.deployment?.id ? ` (deployment ${result.deployment.id})` : ''}` };
        });
        await run('wait-running', async () => {
          const result = await runWaitRunning(ctx, target!, { ...waitOpts, taskDefinitionArn: updated?.taskDefinitionArn, desiredCount: updated?.desiredCount });
          extra.waitRunning = result;
          return { value: result, detail: `${result.running}/${result.wanted} RUNNING` };
        });
        await run('verify', async () => {
          const result = await runVerify(ctx, verifyOpts);
          extra.verify = result;
          assertVerified(result);
          return { value: result, detail: result.reason };
        });
        const revision = (extra.waitRunning as { taskDefinitionArn?: string } | undefined)?.taskDefinitionArn ?? updated?.taskDefinitionArn ?? added?.taskDefinitionArn;
        ui.result(rolloutReport(true, steps, { taskDefinitionArn: revision, ...extra }, [`rollout complete: ${target.service} runs ${revision ?? 'its current revision'} and answers through envoy`]));
      } catch (err) {
        if (!(err instanceof MeshctlError)) throw err;
        steps.push({ step: current, status: 'failed', detail: err.message });
        ui.step(current, 'fail');
        if (flags.rollbackOnFailure && (current === 'wait-running' || current === 'verify') && !(err instanceof InterruptedError)) {
          extra.rollback = await rollBackAfter(current);
        }
        const resume = resumeCommand(deps.argv, current);
        const done = steps.filter((s) => s.status === 'done').map((s) => `${s.step}: ${s.detail}`);
        const failure = new StepFailedError(err, current, resume);
        failure.report = rolloutReport(false, steps, { failedStep: current, resumeCommand: resume, error: err.message, ...extra }, [
          ...(done.length ? ['done:', ...done.map((d) => `  ${d}`)] : ['done: nothing']),
          `failed: ${current}`,
          `resume: ${resume}`,
        ]);
        throw failure;
      }
    });
}
