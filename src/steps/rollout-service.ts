import { parseTaskDefinitionRef } from '../core/arn.js';
import {
  addEnvoyPlanLine,
  emptyRolloutPlan,
  updateServicePlanLine,
  verifyPlanLine,
  waitRunningPlanLine,
  type RolloutPlan,
} from '../core/rollout-plan.js';
import type { ServiceEventRecord } from '../core/service-events.js';
import { InterruptedError, MeshctlError } from '../errors.js';
import { addEnvoyPlanOf, runAddEnvoy, type AddEnvoyOptions, type AddEnvoyResult } from './add-envoy.js';
import type { Context } from '../runtime/context.js';
import { runRollback } from './rollback.js';
import {
  planUpdateService,
  resolveRevision,
  runUpdateService,
  serviceFamily,
  type ServiceTarget,
  type UpdateServiceResult,
} from './service.js';
import { planVerify, runVerify, verifyFailure, type VerifyOptions } from './verify.js';
import { runWaitRunning, type WaitOptions, type WaitSeen } from './wait-running.js';

export const ROLLOUT_STEPS = ['add-envoy', 'update-service', 'wait-running', 'verify'] as const;
export type RolloutStep = (typeof ROLLOUT_STEPS)[number];

export interface StepRecord {
  step: RolloutStep;
  /** planned: --dry-run made the step's reads and checks and says what it would do. */
  status: 'done' | 'planned' | 'skipped' | 'failed';
  detail?: string;
}

export interface ServiceRolloutOptions {
  from: RolloutStep;
  envoy: AddEnvoyOptions;
  wait: WaitOptions;
  /** Undefined: verify is skipped (a many-service rollout without --host), and says so. */
  verify?: VerifyOptions;
  rollbackOnFailure: boolean;
  /** Stop, successfully, after add-envoy when the revision already had envoy (--all-services). */
  stopIfUnchanged?: boolean;
  /** Every step's reads and checks, and a plan instead of its writes: nothing registered, updated or sent (no SSM command). */
  dryRun?: boolean;
}

export interface ServiceRolloutOutcome {
  ok: boolean;
  steps: StepRecord[];
  /** Each step's result by its camelCase name, plus `rollback` when one ran. */
  results: Record<string, unknown>;
  taskDefinitionArn?: string;
  failedStep?: RolloutStep;
  error?: MeshctlError;
  /** Service events seen while waiting (wait-running, then the rollback's wait), oldest first. */
  events: ServiceEventRecord[];
  /** Set when --rollback-on-failure pointed the service back: the rollout is to be retried, not resumed. */
  rolledBack?: { ok: boolean; to?: string };
  /** With dryRun: each step's plan, as far as the checks let it go. */
  plan?: RolloutPlan;
}

/**
 * One service's rollout: add-envoy, update-service, wait-running, verify, from `opts.from` on. Stops at
 * the first failure and reports it in the outcome (only bugs are thrown); with rollbackOnFailure, a
 * failed wait or verify points the service back at the revision it ran before.
 */
export async function runServiceRollout(ctx: Context, target: ServiceTarget, opts: ServiceRolloutOptions): Promise<ServiceRolloutOutcome> {
  const { ui } = ctx;
  const steps: StepRecord[] = [];
  const results: Record<string, unknown> = {};
  const starts = ROLLOUT_STEPS.indexOf(opts.from);
  let current: RolloutStep = opts.from;
  const seen: WaitSeen = { events: [] };
  const events = seen.events!;
  const dryRun = opts.dryRun === true;
  const plan = dryRun ? emptyRolloutPlan() : undefined;
  const skip = (step: RolloutStep, detail?: string) => {
    steps.push({ step, status: 'skipped', ...(detail ? { detail } : {}) });
    ui.step(step, 'skip', detail ?? `skipped (--from ${opts.from})`);
    return undefined;
  };
  const run = async <T>(step: RolloutStep, work: () => Promise<{ value: T; detail: string }>): Promise<T | undefined> => {
    if (ROLLOUT_STEPS.indexOf(step) < starts) return skip(step);
    current = step;
    ctx.checkpoint();
    ui.step(step, 'start');
    const { value, detail } = await work();
    steps.push({ step, status: dryRun ? 'planned' : 'done', detail });
    ui.step(step, 'ok', detail);
    return value;
  };
  let added: AddEnvoyResult | undefined;
  let updated: UpdateServiceResult | undefined;
  // The service's own family unless --task-definition names one: never cfn-output's for another service.
  let envoy = opts.envoy;
  try {
    // The revision update-service deploys: the one add-envoy registered (a dry run: would register) or read.
    let deploy: string | undefined;
    added = await run('add-envoy', async () => {
      if (envoy.taskDefinition === undefined) envoy = { ...envoy, taskDefinition: await serviceFamily(ctx, target) };
      const { result } = await runAddEnvoy(ctx, { ...envoy, dryRun });
      results.addEnvoy = result;
      if (plan) {
        plan.addEnvoy = addEnvoyPlanOf(result);
        deploy = plan.addEnvoy.taskDefinitionArn ?? undefined;
        return { value: result, detail: addEnvoyPlanLine(plan.addEnvoy) };
      }
      deploy = result.taskDefinitionArn;
      return { value: result, detail: `${result.action === 'registered' ? 'registered' : 'unchanged'} ${result.taskDefinitionArn}` };
    });
    if (opts.stopIfUnchanged && added?.action === 'unchanged')
      return { ok: true, steps, results, taskDefinitionArn: dryRun ? undefined : added.taskDefinitionArn, events, plan };
    // What wait-running waits for: the revision update-service pointed the service at, and the count it reported.
    let pointed: { taskDefinitionArn: string; desiredCount?: number } | undefined;
    updated = await run('update-service', async () => {
      // The ARN add-envoy registered or described; resuming, the family's latest revision.
      const family = envoy.taskDefinition ? parseTaskDefinitionRef(envoy.taskDefinition)?.family : undefined;
      const arn = deploy ?? (await resolveRevision(ctx, target, family));
      if (plan) {
        const p = (plan.updateService = await planUpdateService(ctx, target, arn));
        pointed = { taskDefinitionArn: p.taskDefinitionArn, desiredCount: p.desiredCount ?? undefined };
        return { value: undefined, detail: updateServicePlanLine(p) };
      }
      const result = await runUpdateService(ctx, target, arn);
      results.updateService = result;
      pointed = result;
      return {
        value: result,
        detail: `${target.service} → ${result.taskDefinitionArn}${result.deployment?.id ? ` (deployment ${result.deployment.id})` : ''}`,
      };
    });
    await run('wait-running', async () => {
      const wait = { ...opts.wait, taskDefinitionArn: pointed?.taskDefinitionArn, desiredCount: pointed?.desiredCount, dryRun };
      const result = await runWaitRunning(ctx, target, wait, seen);
      if (plan) {
        plan.waitRunning = { taskDefinitionArn: result.taskDefinitionArn, wanted: result.wanted, timeoutMs: opts.wait.timeoutMs };
        return { value: undefined, detail: waitRunningPlanLine(plan.waitRunning) };
      }
      results.waitRunning = result;
      return { value: result, detail: `${result.running}/${result.wanted} RUNNING` };
    });
    // Without --host (several services) there is nothing to curl: verify is skipped, and says why.
    const verify = opts.verify;
    if (!verify) skip('verify', 'not checked: pass --host to verify each service');
    else
      await run('verify', async () => {
        if (plan) {
          plan.verify = await planVerify(ctx, verify);
          return { value: undefined, detail: verifyPlanLine(plan.verify) };
        }
        const result = await runVerify(ctx, verify);
        results.verify = result;
        if (!result.ok) throw verifyFailure(result);
        return { value: result, detail: result.reason };
      });
    const taskDefinitionArn = dryRun
      ? undefined
      : ((results.waitRunning as { taskDefinitionArn?: string } | undefined)?.taskDefinitionArn ??
        updated?.taskDefinitionArn ??
        added?.taskDefinitionArn);
    return { ok: true, steps, results, taskDefinitionArn, events, plan };
  } catch (err) {
    if (!(err instanceof MeshctlError)) throw err;
    steps.push({ step: current, status: 'failed', detail: err.message });
    ui.step(current, 'fail', withoutStepName(current, err.message).split('\n')[0]);
    let rolledBack: ServiceRolloutOutcome['rolledBack'];
    // A dry run changed nothing, so there is nothing to point back.
    if (opts.rollbackOnFailure && !dryRun && (current === 'wait-running' || current === 'verify') && !(err instanceof InterruptedError)) {
      const rb = await rollBack(ctx, target, current, updated, opts.wait, seen);
      results.rollback = rb;
      rolledBack = { ok: rb.ok === true, to: typeof rb.to === 'string' ? rb.to : updated?.previousTaskDefinitionArn };
    }
    return { ok: false, steps, results, failedStep: current, error: err, events, rolledBack, plan };
  }
}

/** A step's error message without the step's own name in front: `✖ verify · verify: …` would say it twice. */
export function withoutStepName(step: string, message: string): string {
  return message.startsWith(`${step}: `) ? message.slice(step.length + 2) : message;
}

async function rollBack(
  ctx: Context,
  target: ServiceTarget,
  step: RolloutStep,
  updated: UpdateServiceResult | undefined,
  wait: WaitOptions,
  seen: WaitSeen,
): Promise<Record<string, unknown>> {
  ctx.ui.warn(`${step} failed; rolling back (--rollback-on-failure)`);
  ctx.ui.step('rollback', 'start');
  try {
    // The wanted count was for the new revision; the old one runs the service's desiredCount.
    const rb = await runRollback(ctx, target, {
      to: updated?.previousTaskDefinitionArn,
      wait: true,
      waitOptions: { ...wait, count: undefined },
      seen,
    });
    ctx.ui.step('rollback', 'ok', `${rb.service} → ${rb.to}`);
    return { ok: true, ...rb };
  } catch (err) {
    ctx.ui.step('rollback', 'fail', (err as Error).message);
    return { ok: false, error: (err as Error).message };
  }
}
