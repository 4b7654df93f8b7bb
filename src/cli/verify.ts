import type { Command } from 'commander';
import { formatDuration } from '../core/duration.js';
import { pollUntil } from '../core/poll.js';
import {
  buildVerifyScript,
  DEFAULT_EXPECTED_HEADER,
  judgeCurlResult,
  parseCurlOutput,
  PENDING_INVOCATION_STATES,
  type CurlResult,
  type ExpectedHeader,
  type VerifyTarget,
} from '../core/verify-check.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { Report } from '../ui/output.js';
import { createContext, durationFlag, intFlag, nameFlag, type Context, type Deps } from './context.js';
import { transientPolls } from './transient.js';

export const DEFAULT_HOST = 'crystal.appmeshworkshop.hosted.local';
export const DEFAULT_PORT = 3000;
export const DEFAULT_PATH = '/crystal';
export const DEFAULT_VERIFY_TIMEOUT_MS = 120_000;

export interface VerifyFlags {
  asg?: string;
  instanceId?: string;
  host?: string;
  port?: string;
  path?: string;
  timeout?: string;
  expectHeader?: string;
}

export interface VerifyOptions {
  asg?: string;
  instanceId?: string;
  target: VerifyTarget;
  timeoutMs: number;
  expect: ExpectedHeader;
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
// RFC 3986 path characters plus '?' and '/'. Some of them mean something to a shell; the script quotes them.
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function toVerifyOptions(flags: VerifyFlags): VerifyOptions {
  const host = flags.host ?? DEFAULT_HOST;
  if (!HOST.test(host)) throw new UsageError(`--host: "${host}" is not a DNS name or IPv4 address`);
  const path = flags.path ?? DEFAULT_PATH;
  if (!PATH.test(path)) throw new UsageError(`--path: "${path}" must start with / and hold only URL path characters (no spaces, quotes or backticks)`);
  const port = intFlag(flags.port, '--port', 1, 65535) ?? DEFAULT_PORT;
  const timeoutMs = durationFlag(flags.timeout, '--timeout', DEFAULT_VERIFY_TIMEOUT_MS);
  if (flags.instanceId !== undefined && !/^(i|mi)-[0-9a-f]{8,17}$/.test(flags.instanceId)) {
    throw new UsageError(`--instance-id: "${flags.instanceId}" is not an EC2 instance id (i-0123456789abcdef0)`);
  }
  let expect = DEFAULT_EXPECTED_HEADER;
  if (flags.expectHeader !== undefined) {
    const eq = flags.expectHeader.indexOf('=');
    const name = flags.expectHeader.slice(0, eq).trim();
    if (eq <= 0 || !HEADER_NAME.test(name)) throw new UsageError(`--expect-header: "${flags.expectHeader}" is not NAME=VALUE (for example server=envoy)`);
    expect = { name, value: flags.expectHeader.slice(eq + 1).trim() };
  }
  // curl's own limit stays inside the SSM wait so its answer still arrives.
  const curlSeconds = Math.max(1, Math.min(30, Math.floor(timeoutMs / 2000)));
  return { asg: flags.asg, instanceId: flags.instanceId, target: { host, port, path, timeoutSeconds: curlSeconds }, timeoutMs, expect };
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
  const asg = nameFlag(await ctx.cfn('asg', opts.asg), opts.asg ? '--asg' : 'RubyAutoScalingGroupName');
  const ids = await (await ctx.aws.ec2()).describeInstances(asg);
  if (ids.length === 0) {
    throw new CheckFailedError(`no running instance in auto scaling group "${asg}" to run the check from; pass --instance-id or check --asg`);
  }
  return ids[0]!;
}

/** Runs the workshop's curl through SSM and judges the answer. */
export async function runVerify(ctx: Context, opts: VerifyOptions): Promise<VerifyResult> {
  const instanceId = await pickInstance(ctx, opts);
  const ssm = await ctx.aws.ssm();
  const script = buildVerifyScript(opts.target);
  const commandId = await ssm.sendCommand(instanceId, script, Math.ceil(opts.timeoutMs / 1000));
  const started = ctx.deps.clock.now();
  const invocation = await pollUntil(
    async () => {
      const inv = await ssm.getCommandInvocation(commandId, instanceId);
      return PENDING_INVOCATION_STATES.has(inv.status) ? undefined : inv;
    },
    {
      timeoutMs: opts.timeoutMs,
      intervalMs: 2000,
      signal: ctx.deps.signal,
      ...transientPolls(ctx),
      timeoutMessage: (ms) => `SSM command ${commandId} on ${instanceId} did not finish within ${formatDuration(ms)}; raise --timeout or check the SSM agent`,
    },
    ctx.deps.clock,
  );
  ctx.ui.verbose(`ssm command ${commandId} finished ${invocation.status} after ${formatDuration(ctx.deps.clock.now() - started)}`);
  const curl: CurlResult = parseCurlOutput(invocation.stdout);
  const verdict =
    invocation.status === 'Success'
      ? judgeCurlResult(curl, opts.expect)
      : { ok: false, reason: `the SSM command ended ${invocation.status}${invocation.stderr ? `: ${invocation.stderr.split('\n')[0]}` : ''}` };
  const t = opts.target;
  return {
    ok: verdict.ok,
    instanceId,
    commandId,
    url: `http://${t.host}:${t.port}${t.path}`,
    reason: verdict.reason,
    status: curl.status,
    headers: curl.headers,
    resolvedAddress: curl.resolvedAddress || undefined,
    body: curl.body ? curl.body.slice(0, 2000) : undefined,
    invocationStatus: invocation.status,
  };
}

export function verifyReport(r: VerifyResult): Report {
  return {
    data: { ...r },
    lines: [`${r.ok ? 'ok' : 'FAILED'}: ${r.url} from ${r.instanceId}${r.resolvedAddress ? ` (${r.resolvedAddress})` : ''}: ${r.reason}`],
  };
}

/** Throws CheckFailedError (exit 1) carrying the report when the check did not pass. */
export function assertVerified(r: VerifyResult): void {
  if (r.ok) return;
  const err = new CheckFailedError(`verify: ${r.reason}`, r);
  err.report = verifyReport(r);
  throw err;
}

export function registerVerify(program: Command, deps: Deps): void {
  program
    .command('verify')
    .description('curl the service from an instance of the ASG through SSM and check for server: envoy')
    .option('--instance-id <id>', 'run the check on this instance instead')
    .option('--host <name>', `host to resolve with dig (default: ${DEFAULT_HOST})`)
    .option('--port <port>', `port to curl (default: ${DEFAULT_PORT})`)
    .option('--path <path>', `path to curl (default: ${DEFAULT_PATH})`)
    .option('--timeout <duration>', 'how long to wait for the SSM command', '2m')
    .option('--expect-header <name=value>', 'header the answer must carry (default: server=envoy)')
    .addHelpText(
      'after',
      '\nExamples:\n  meshctl verify\n  meshctl verify --instance-id i-0123456789abcdef0 --path /health --expect-header server=envoy\n\nExit 0 only for a 2xx answer carrying the expected header; otherwise exit 1 with what was seen.',
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<VerifyFlags>();
      const opts = toVerifyOptions(flags);
      const ctx = createContext(cmd, deps);
      const result = await runVerify(ctx, opts);
      assertVerified(result);
      deps.ui.result(verifyReport(result));
    });
}
