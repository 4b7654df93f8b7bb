import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { discoveryNameProblem } from '../../core/ecs-names.js';
import { DEFAULT_MAX_5XX_RATIO, DEFAULT_WINDOW_MS, MAX_WINDOW_MS, MIN_WINDOW_MS, parseRatio } from '../../core/migrate/traffic-check.js';
import { DEFAULT_EXPECTED_HEADER } from '../../core/verify-check.js';
import { DEFAULT_HOST, DEFAULT_PATH, DEFAULT_PORT, DEFAULT_VERIFY_TIMEOUT_MS, type VerifyOptions } from '../../steps/verify.js';
import { checkAll, durationFlag, intFlag } from './common.js';
import { addOptions, flagNames, type OptionDecl } from './declare.js';
import { DEFAULT_SERVICE } from '../../steps/service.js';

export interface VerifyFlags {
  asg?: string;
  instanceId?: string;
  host?: string;
  port?: string;
  path?: string;
  timeout?: string;
  expectHeader?: string;
}

/** verify --service-connect's own flags. */
export interface VerifyServiceConnectFlags {
  serviceConnect?: boolean;
  service?: string;
  discoveryName?: string[];
  window?: string;
  max5xxRatio?: string;
}

/**
 * The flags of verify's SSM check, declared once: verify's, which rollout takes as they are (rollout's
 * help says what its {service} template adds to --host).
 */
export const VERIFY_OPTIONS = {
  instanceId: {
    flags: '--instance-id <id>',
    help: 'run the check on this instance (default: a running instance of the auto scaling group, --asg)',
  },
  host: { flags: '--host <name>', help: `host to resolve with dig (default: ${DEFAULT_HOST})` },
  port: { flags: '--port <port>', help: `port to curl (default: ${DEFAULT_PORT})` },
  path: { flags: '--path <path>', help: `path to curl (default: ${DEFAULT_PATH})` },
  expectHeader: {
    flags: '--expect-header <name=value>',
    help: `header the answer must carry (default: ${DEFAULT_EXPECTED_HEADER.name}=${DEFAULT_EXPECTED_HEADER.value})`,
  },
} as const satisfies Partial<Record<keyof VerifyFlags, OptionDecl>>;

/** Adds the SSM check's flags (VERIFY_OPTIONS); its timeout is each command's own (verify's --timeout, rollout's --verify-timeout). */
export function addVerifyFlags(cmd: Command): Command {
  return addOptions(cmd, Object.values(VERIFY_OPTIONS));
}

/** verify's own --timeout (rollout's is --verify-timeout, beside its wait's --timeout). */
export const SSM_TIMEOUT_OPTION = {
  flags: '--timeout <duration>',
  help: 'how long to wait for the SSM command (default: 2m)',
} as const satisfies OptionDecl;

/** verify --service-connect's flags (after the --service-connect switch). */
export const SERVICE_CONNECT_OPTIONS = {
  service: { flags: '--service <name>', help: `with --service-connect: the ECS service (default: ${DEFAULT_SERVICE})` },
  discoveryName: {
    flags: '--discovery-name <name>',
    help: "with --service-connect: a discovery name to read; repeat for several (default: the deployment's Service Connect services)",
    repeat: true,
  },
  window: { flags: '--window <duration>', help: 'with --service-connect: how far back to read, at least 1m (default: 5m)' },
  max5xxRatio: {
    flags: '--max-5xx-ratio <ratio>',
    help: 'with --service-connect: the largest share of 5xx responses that passes, 0.01 or 1% (default: 1%)',
  },
} as const satisfies Record<keyof Omit<VerifyServiceConnectFlags, 'serviceConnect'>, OptionDecl>;

/** The flags of each way of verifying: the SSM curl from an instance, and the Service Connect metrics. */
const SSM_FLAGS = flagNames({ ...VERIFY_OPTIONS, timeout: SSM_TIMEOUT_OPTION });
const SERVICE_CONNECT_FLAGS = flagNames(SERVICE_CONNECT_OPTIONS);

function given(flags: VerifyFlags & VerifyServiceConnectFlags, names: Record<string, string>): string[] {
  return Object.entries(names)
    .filter(([key]) => flags[key as keyof typeof flags] !== undefined)
    .map(([, flag]) => flag);
}

export interface VerifyServiceConnectOptions {
  service?: string;
  discoveryNames: string[];
  windowMs: number;
  max5xxRatio: number;
}

/** --service-connect's flags, checked; the SSM check's flags are refused, as they would do nothing. */
export function toVerifyServiceConnectOptions(flags: VerifyFlags & VerifyServiceConnectFlags): VerifyServiceConnectOptions {
  const discoveryNames = flags.discoveryName ?? [];
  const [, , windowMs, max5xxRatio] = checkAll(
    () => {
      const ssm = given(flags, SSM_FLAGS);
      if (ssm.length > 0)
        throw new UsageError(`${ssm.join(', ')}: only for the SSM check; --service-connect reads CloudWatch metrics and sends no request`);
    },
    () =>
      checkAll(
        ...discoveryNames.map((name) => () => {
          const problem = discoveryNameProblem(name);
          if (problem) throw new UsageError(`--discovery-name: ${problem}`);
        }),
      ),
    () => {
      const ms = durationFlag(flags.window, '--window', DEFAULT_WINDOW_MS);
      if (ms < MIN_WINDOW_MS) throw new UsageError(`--window: "${flags.window}" is shorter than 1m, one datapoint of CloudWatch's`);
      if (ms > MAX_WINDOW_MS)
        throw new UsageError(`--window: "${flags.window}" is longer than 15 days, as long as CloudWatch keeps 1-minute datapoints`);
      return ms;
    },
    () => {
      if (flags.max5xxRatio === undefined) return DEFAULT_MAX_5XX_RATIO;
      const ratio = parseRatio(flags.max5xxRatio);
      if (ratio === undefined)
        throw new UsageError(`--max-5xx-ratio: "${flags.max5xxRatio}" is not a ratio from 0 to 1 or a percentage (0.01 or 1%)`);
      return ratio;
    },
  );
  return { service: flags.service, discoveryNames, windowMs, max5xxRatio };
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
// RFC 3986 path characters plus '?' and '/'. Some of them mean something to a shell; the script quotes them.
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Checks a host verify resolves: a DNS name or an IPv4 address. */
export function hostFlag(value: string, flag: string): string {
  if (!HOST.test(value)) throw new UsageError(`${flag}: "${value}" is not a DNS name or IPv4 address`);
  return value;
}

/** verify without --service-connect refuses that mode's flags, which would do nothing. */
export function refuseServiceConnectFlags(flags: VerifyServiceConnectFlags): void {
  const sc = given(flags, SERVICE_CONNECT_FLAGS);
  if (sc.length > 0) throw new UsageError(`${sc.join(', ')}: only with --service-connect`);
}

/** `timeoutFlag`: the name the user wrote (rollout passes its --verify-timeout as verify's --timeout). */
export function toVerifyOptions(flags: VerifyFlags, timeoutFlag = '--timeout'): VerifyOptions {
  const host = flags.host ?? DEFAULT_HOST;
  const path = flags.path ?? DEFAULT_PATH;
  const [, , port, timeoutMs, , expect] = checkAll(
    () => hostFlag(host, '--host'),
    () => {
      if (!PATH.test(path))
        throw new UsageError(`--path: "${path}" must start with / and hold only URL path characters (no spaces, quotes or backticks)`);
    },
    () => intFlag(flags.port, '--port', 1, 65535) ?? DEFAULT_PORT,
    () => durationFlag(flags.timeout, timeoutFlag, DEFAULT_VERIFY_TIMEOUT_MS, 1000),
    () => {
      if (flags.instanceId !== undefined && !/^(i|mi)-[0-9a-f]{8,17}$/.test(flags.instanceId))
        throw new UsageError(`--instance-id: "${flags.instanceId}" is not an EC2 instance id (i-0123456789abcdef0)`);
    },
    () => {
      if (flags.expectHeader === undefined) return DEFAULT_EXPECTED_HEADER;
      const eq = flags.expectHeader.indexOf('=');
      const name = flags.expectHeader.slice(0, eq).trim();
      if (eq <= 0 || !HEADER_NAME.test(name))
        throw new UsageError(`--expect-header: "${flags.expectHeader}" is not NAME=VALUE (for example server=envoy)`);
      return { name, value: flags.expectHeader.slice(eq + 1).trim() };
    },
  );
  // curl's own limit stays inside the SSM wait so its answer still arrives.
  const curlSeconds = Math.max(1, Math.min(30, Math.floor(timeoutMs / 2000)));
  return { asg: flags.asg, instanceId: flags.instanceId, target: { host, port, path, timeoutSeconds: curlSeconds }, timeoutMs, expect };
}
