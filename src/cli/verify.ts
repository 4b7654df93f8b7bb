import type { Command } from 'commander';
import { formatDuration } from '../core/duration.js';
import { CommandFailedError } from '../errors.js';
import type { Deps } from '../runtime/context.js';
import { resolveServiceTarget } from '../steps/service.js';
import { runVerify, verifyFailure, type VerifyResult } from '../steps/verify.js';
import { checkServiceConnectTraffic, trafficFailure, type TrafficVerdict } from '../steps/verify-service-connect.js';
import type { Report } from '../ui/output.js';
import { checkAll, contextOf, targetFlags } from './options/common.js';
import { addOptions, type OptionDecl } from './options/declare.js';
import {
  addVerifyFlags,
  refuseServiceConnectFlags,
  SERVICE_CONNECT_OPTIONS,
  SSM_TIMEOUT_OPTION,
  toVerifyOptions,
  toVerifyServiceConnectOptions,
  type VerifyFlags,
  type VerifyServiceConnectFlags,
} from './options/verify.js';

export function verifyReport(r: VerifyResult): Report {
  return {
    data: { ...r, status: r.status ?? null, resolvedAddress: r.resolvedAddress ?? null, body: r.body ?? null },
    lines: [`${r.ok ? 'ok' : 'FAILED'}: ${r.url} from ${r.instanceId}${r.resolvedAddress ? ` (${r.resolvedAddress})` : ''}: ${r.reason}`],
  };
}

export function trafficReport(v: TrafficVerdict): Report {
  const failed = v.checks.filter((c) => !c.ok).map((c) => c.name);
  return {
    data: { ...v },
    lines: [
      `Service Connect traffic to ${v.discoveryNames.join(', ')} (${v.service} in ${v.cluster}), ` +
        `${v.window.start} to ${v.window.end} (${formatDuration(v.window.durationMs)}):`,
      ...v.checks.map((c) => `${c.ok ? '✔' : '✖'} ${c.name}: ${c.detail}`),
      failed.length === 0
        ? `ok: all ${v.checks.length} checks passed`
        : `FAILED: ${failed.join(', ')} (${failed.length} of ${v.checks.length} checks)`,
      `note: ${v.note}`,
    ],
  };
}

/** The switch to verify's other way: CloudWatch's Service Connect metrics instead of a curl. */
const SERVICE_CONNECT_SWITCH: OptionDecl = {
  flags: '--service-connect',
  help: "after the move to Service Connect: read the service's traffic from CloudWatch instead of curling it",
};

export function registerVerify(program: Command, deps: Deps): void {
  const verify = program
    .command('verify')
    .description(
      'curl the service from an instance of the ASG through SSM and check for server: envoy; ' +
        'or, with --service-connect, judge its Service Connect traffic from CloudWatch metrics',
    );
  addOptions(addVerifyFlags(verify), [SSM_TIMEOUT_OPTION, SERVICE_CONNECT_SWITCH, ...Object.values(SERVICE_CONNECT_OPTIONS)])
    .addHelpText(
      'after',
      `
Examples:
  meshctl verify
  meshctl verify --instance-id i-0123456789abcdef0 --path /health --expect-header server=envoy
  meshctl verify --service-connect
  meshctl verify --service-connect --service crystal-service-lb --discovery-name crystal --window 10m --max-5xx-ratio 0.5% --json

Exit 0 only for a 2xx answer carrying the expected header; otherwise exit 1 with what was seen.

With --service-connect, Service Connect names resolve only inside the namespace's tasks, so nothing is
curled: verify reads AWS/ECS RequestCount (DiscoveryName, ServiceName, ClusterName) and
HTTPCode_Target_5XX_Count and TargetResponseTime (TargetDiscoveryName) per minute over the window, the
PRIMARY deployment, and behind a load balancer its target groups' HealthyHostCount and 5xx. Exit 0 when
requests arrived, the 5xx share is at most --max-5xx-ratio, the rollout is not FAILED with no failed
tasks, and each target group has a healthy host; otherwise exit 1 naming the check and its numbers.
Metrics prove that traffic arrived and how much of it failed, not that a particular response was right.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<VerifyFlags & VerifyServiceConnectFlags & { cluster?: string }>();
      if (flags.serviceConnect) {
        const [opts, ctx] = checkAll(
          () => toVerifyServiceConnectOptions(flags),
          () => contextOf(cmd, deps),
          () => targetFlags(flags),
        );
        const target = await resolveServiceTarget(ctx, { service: opts.service, cluster: flags.cluster });
        const verdict = await checkServiceConnectTraffic(ctx, {
          ...target,
          discoveryNames: opts.discoveryNames,
          windowMs: opts.windowMs,
          max5xxRatio: opts.max5xxRatio,
        });
        if (!verdict.ok) throw new CommandFailedError(trafficFailure(verdict), trafficReport(verdict));
        return deps.ui.result(trafficReport(verdict));
      }
      const [, opts, ctx] = checkAll(
        () => refuseServiceConnectFlags(flags),
        () => toVerifyOptions(flags),
        () => contextOf(cmd, deps),
      );
      const result = await runVerify(ctx, opts);
      if (!result.ok) throw new CommandFailedError(verifyFailure(result), verifyReport(result));
      deps.ui.result(verifyReport(result));
    });
}
