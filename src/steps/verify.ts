import { formatDuration } from '../core/duration.js';
import { pollUntil } from '../core/poll.js';
import {
  buildVerifyScript,
  judgeCurlResult,
  parseCurlOutput,
  PENDING_INVOCATION_STATES,
  type CurlResult,
  type ExpectedHeader,
  type VerifyTarget,
} from '../core/verify-check.js';
import { CheckFailedError, InputError } from '../errors.js';
import { isEcsNameOrArn } from '../core/arn.js';
import type { VerifyPlan } from '../core/rollout-plan.js';
import { SANDBOX_SSM_NO_OUTPUT } from '../sandbox/detect.js';
import type { Context } from '../runtime/context.js';
import { transientPolls } from './transient.js';

export const DEFAULT_HOST = 'crystal.appmeshworkshop.hosted.local';
export const DEFAULT_PORT = 3000;
export const DEFAULT_PATH = '/crystal';
export const DEFAULT_VERIFY_TIMEOUT_MS = 120_000;

export interface VerifyOptions {
  asg?: string;
  instanceId?: string;
  target: VerifyTarget;
  timeoutMs: number;
  expect: ExpectedHeader;
}

export interface VerifyResult {
  ok: boolean;
  instanceId: string;
  commandId: string;
  url: string;
  reason: string;
  status?: number;
  headers: Record<string, string>;
  resolvedAddress?: string;
  body?: string;
  invocationStatus: string;
}

async function pickInstance(ctx: Context, opts: VerifyOptions): Promise<string> {
  if (opts.instanceId) return opts.instanceId;
  const asg = await ctx.cfn('asg', opts.asg);
  if (!isEcsNameOrArn(asg))
    throw new InputError(`${opts.asg ? '--asg' : 'RubyAutoScalingGroupName'}: "${asg}" is not an auto scaling group name`);
  const ids = await (await ctx.aws.ec2()).describeInstances(asg);
  if (ids.length === 0) {
    throw new CheckFailedError(
      `no running instance in auto scaling group "${asg}" to run the check from; pass --instance-id or check --asg`,
    );
  }
  return ids[0]!;
}

/**
 * What verify would do, with the reads it makes before SendCommand (the instance: --instance-id, else
 * the auto scaling group's first running one) and the script it would send, built but not sent.
 */
export async function planVerify(ctx: Context, opts: VerifyOptions): Promise<VerifyPlan> {
  const instanceId = await pickInstance(ctx, opts);
  buildVerifyScript(opts.target);
  const t = opts.target;
  return {
    instanceId,
    url: `http://${t.host}:${t.port}${t.path}`,
    expectHeader: `${opts.expect.name}=${opts.expect.value}`,
    timeoutMs: opts.timeoutMs,
  };
}

/** Runs the workshop's curl through SSM and judges the answer. */
export async function runVerify(ctx: Context, opts: VerifyOptions): Promise<VerifyResult> {
  const instanceId = await pickInstance(ctx, opts);
  const ssm = await ctx.aws.ssm();
  const script = buildVerifyScript(opts.target);
  const commandId = await ssm.sendCommand(instanceId, script, Math.ceil(opts.timeoutMs / 1000));
  const started = ctx.clock.now();
  const invocation = await pollUntil(
    async () => {
      const inv = await ssm.getCommandInvocation(commandId, instanceId);
      return PENDING_INVOCATION_STATES.has(inv.status) ? undefined : inv;
    },
    {
      timeoutMs: opts.timeoutMs,
      intervalMs: 2000,
      signal: ctx.signal,
      ...transientPolls(ctx),
      timeoutMessage: () =>
        `SSM command ${commandId} on ${instanceId} did not finish within ${formatDuration(opts.timeoutMs)}; raise --timeout or check the SSM agent`,
    },
    ctx.clock,
  );
  ctx.ui.verbose(`ssm command ${commandId} finished ${invocation.status} after ${formatDuration(ctx.clock.now() - started)}`);
  const curl: CurlResult = parseCurlOutput(invocation.stdout);
  const verdict =
    invocation.status === 'Success'
      ? judgeCurlResult(curl, opts.expect)
      : {
          ok: false,
          reason: `the SSM command ended ${invocation.status}${invocation.stderr ? `: ${invocation.stderr.split('\n')[0]}` : ''}`,
        };
  const t = opts.target;
  return {
    ok: verdict.ok,
    instanceId,
    commandId,
    url: `http://${t.host}:${t.port}${t.path}`,
    // moto's SSM runs nothing: in the sandbox no output is the expected end, not a broken SSM agent.
    reason: !verdict.ok && ctx.sandbox && !invocation.stdout.trim() ? SANDBOX_SSM_NO_OUTPUT : verdict.reason,
    status: curl.status,
    headers: curl.headers,
    resolvedAddress: curl.resolvedAddress || undefined,
    body: curl.body ? curl.body.slice(0, 2000) : undefined,
    invocationStatus: invocation.status,
  };
}

/** The failure a check that did not pass is (exit 1); the command adds the report. */
export function verifyFailure(r: VerifyResult): CheckFailedError {
  return new CheckFailedError(`verify: ${r.reason}`);
}
