import type { Command } from 'commander';
import { greenNameProblem, parseShift } from '../../core/migrate/blue-green.js';
import { parseRoute53Flag, type Route53Target } from '../../core/migrate/dns-weights.js';
import { parseAliasOwner, parseClientAlias } from '../../core/migrate/alias-flags.js';
import { nameOfArn } from '../../core/arn.js';
import { escapeControls } from '../../core/escape.js';
import { APP_PROTOCOLS } from '../../core/protocol.js';
import { FAIL_ON_LEVELS, type FailOn } from '../../core/migrate/parity.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_SERVICE } from '../../steps/service.js';
import { checkAll, collect, durationFlag, intFlag, nameFlag, namespaceFlag } from '../options/common.js';
import { toVerifyServiceConnectOptions } from '../options/verify.js';
import type { WaitFlags } from '../options/wait.js';
import { addSourceFlags, toSourceOptions, type SourceFlags } from '../options/source.js';

export interface MigrateFlags extends WaitFlags, SourceFlags {
  service?: string[];
  allServices?: boolean;
  cluster?: string;
  meshFile?: string;
  fromCloudformation?: string;
  fromTerraform?: string;
  namespace?: string;
  clientAlias?: string;
  aliasOwner?: string[];
  appProtocol?: string;
  appContainer?: string;
  createNamespace?: boolean;
  concurrency?: string;
  force?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  strategy?: string;
  greenName?: string;
  shift?: string;
  stepWait?: string;
  window?: string;
  max5xxRatio?: string;
  route53?: string;
  yes?: boolean;
  tlsRole?: string;
  failOn?: string;
  allowPartial?: boolean;
}

/** `--route53 ZONE_ID:NAME[=GREEN_VALUE]`, checked before any AWS call; it names one service's record. */
export function route53Flag(flags: MigrateFlags): Route53Target | undefined {
  if (flags.route53 === undefined) return undefined;
  const [parsed] = checkAll(
    () => {
      const parsed = parseRoute53Flag(flags.route53!);
      if ('problem' in parsed) throw new UsageError(`--route53: ${parsed.problem}`);
      return parsed;
    },
    () => {
      if (flags.allServices || (flags.service ?? []).length !== 1)
        throw new UsageError('--route53 names the record in front of one service: pass exactly one --service with it');
    },
  );
  return parsed;
}

/**
 * `--green-name`, with exactly one --service (blue): a valid service name that is not blue's own, checked
 * before any AWS call (blue/green would otherwise adopt blue as its green, shift to nothing and delete blue).
 */
export function greenNameFlag(green: string, services: readonly string[] | undefined): void {
  const blue = [...new Set(services ?? [])];
  checkAll(
    () => nameFlag(green, '--green-name'),
    () => {
      if (blue.length !== 1) throw new UsageError('--green-name names one green service: pass exactly one --service with it');
      const problem = greenNameProblem(blue[0]!, green);
      if (problem) throw new UsageError(problem);
    },
  );
}

/** --strategy blue-green's flags, checked before any AWS call, every problem at once. */
export function toBlueGreenFlags(flags: MigrateFlags) {
  const strategy = flags.strategy ?? 'in-place';
  if (strategy !== 'in-place' && strategy !== 'blue-green')
    throw new UsageError(`--strategy: "${escapeControls(strategy)}" is not in-place or blue-green`);
  const bg = {
    greenName: '--green-name',
    shift: '--shift',
    stepWait: '--step-wait',
    window: '--window',
    max5xxRatio: '--max-5xx-ratio',
    route53: '--route53',
  } as const;
  const given = Object.entries(bg)
    .filter(([k]) => flags[k as keyof typeof bg] !== undefined)
    .map(([, f]) => f);
  if (strategy === 'in-place') {
    if (given.length) throw new UsageError(`${given.join(', ')} only apply with --strategy blue-green`);
    return undefined;
  }
  const [, shift, check, route53, stepWaitMs] = checkAll(
    () => flags.greenName !== undefined && greenNameFlag(flags.greenName, flags.service),
    () => {
      const shift = parseShift(flags.shift ?? DEFAULT_SHIFT);
      if ('problem' in shift) throw new UsageError(`--shift: ${shift.problem}`);
      return shift.steps;
    },
    () => toVerifyServiceConnectOptions({ window: flags.window, max5xxRatio: flags.max5xxRatio }),
    () => route53Flag(flags),
    () => durationFlag(flags.stepWait, '--step-wait', DEFAULT_STEP_WAIT_MS, 1000),
  );
  return { route53, greenName: flags.greenName, shift, stepWaitMs, check };
}

export const DEFAULT_SHIFT = '10,50,100';
export const DEFAULT_STEP_WAIT_MS = 5 * 60_000;

export const DEFAULT_MIGRATE_CONCURRENCY = 4;

/** --client-alias NAME[:PORT] for the one service selected, and each --alias-owner VS=SERVICE: exit 2 before any request. */
function aliasFlags(flags: MigrateFlags, services: string[]) {
  return checkAll(
    () => {
      if (flags.clientAlias === undefined) return undefined;
      const parsed = parseClientAlias(flags.clientAlias);
      if ('problem' in parsed) throw new UsageError(parsed.problem);
      if (flags.allServices || services.length > 1)
        throw new UsageError('--client-alias names the alias of one service: pass exactly one --service with it');
      const service = services[0] ?? DEFAULT_SERVICE;
      return { service: service.startsWith('arn:') ? nameOfArn(service) : service, ...parsed };
    },
    () => {
      const owners: Record<string, string> = {};
      for (const value of flags.aliasOwner ?? []) {
        const parsed = parseAliasOwner(value);
        if ('problem' in parsed) throw new UsageError(parsed.problem);
        if (owners[parsed.virtualService] !== undefined && owners[parsed.virtualService] !== parsed.service)
          throw new UsageError(`--alias-owner: ${parsed.virtualService} is given twice, to two services; pass one`);
        owners[parsed.virtualService] = parsed.service;
      }
      return owners;
    },
  );
}

/** arn:PARTITION:iam::ACCOUNT:role/PATH/NAME (IAM's role name and path characters). */
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** --tls-role: an IAM role ARN, checked before any AWS call. */
export function tlsRoleFlag(value: string | undefined): string | undefined {
  if (value === undefined || ROLE_ARN.test(value)) return value;
  throw new UsageError(`--tls-role: "${escapeControls(value)}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)`);
}

/** --fail-on lost|approximated (migrate plan), checked before any AWS call. */
export function failOnFlag(value: string | undefined): FailOn | undefined {
  if (value === undefined || FAIL_ON_LEVELS.includes(value as FailOn)) return value as FailOn | undefined;
  throw new UsageError(`--fail-on: "${escapeControls(value)}" is not one of ${FAIL_ON_LEVELS.join(', ')}`);
}

/** Every flag checked before the first AWS call. */
export function toMigrateOptions(flags: MigrateFlags) {
  // The action has made --service distinct (distinctServices): a service is never planned or sent twice.
  const services = flags.service ?? [];
  const appProtocol = flags.appProtocol;
  const [, , , concurrency, , [clientAlias, aliasOwners], cfn, tlsRole] = checkAll(
    () => {
      if (flags.allServices && services.length) throw new UsageError('--all-services and --service both choose the services; pass one');
    },
    () => checkAll(...services.map((s) => () => nameFlag(s, '--service', 'service'))),
    () => {
      if (appProtocol !== undefined && !APP_PROTOCOLS.includes(appProtocol as never))
        throw new UsageError(`--app-protocol: "${appProtocol}" is not one of ${APP_PROTOCOLS.join(', ')}`);
    },
    () => intFlag(flags.concurrency ?? String(DEFAULT_MIGRATE_CONCURRENCY), '--concurrency', 1, 50)!,
    () => namespaceFlag(flags.namespace),
    () => aliasFlags(flags, services),
    () => toSourceOptions(flags),
    () => tlsRoleFlag(flags.tlsRole),
  );
  return {
    // By name: a service's ARN names it as well (the plan knows services by name).
    selection: flags.allServices
      ? undefined
      : services.length
        ? services.map((s) => (s.startsWith('arn:') ? nameOfArn(s) : s))
        : [DEFAULT_SERVICE],
    concurrency,
    sources: { meshFile: flags.meshFile, cloudFormation: flags.fromCloudformation, terraform: flags.fromTerraform, cfn: cfn! },
    overrides: {
      namespace: flags.namespace,
      clientAlias,
      aliasOwners,
      appProtocol: appProtocol as (typeof APP_PROTOCOLS)[number] | undefined,
      createNamespace: flags.createNamespace === true,
      appContainer: flags.appContainer,
      ...(tlsRole ? { tlsRole } : {}),
      allowPartial: flags.allowPartial === true,
    },
  };
}

export type MigrateOptions = ReturnType<typeof toMigrateOptions>;

/** plan's and apply's flags: the services, where the facts come from, and what the plan may not work out. */
export function addPlanFlags(cmd: Command): Command {
  return addSourceFlags(cmd)
    .option('--service <name>', `ECS service; repeat for several (default: ${DEFAULT_SERVICE})`, collect)
    .option('--all-services', 'every service of the cluster that runs envoy, in waves: servers before their clients')
    .option('--mesh-file <file>', "meshctl's mesh file describing the mesh (App Mesh need not answer)")
    .option('--from-cloudformation <template>', 'a CloudFormation template (JSON or YAML) with AWS::AppMesh::* resources')
    .option('--from-terraform <state>', 'the JSON of terraform show -json, with aws_appmesh_* resources')
    .option('--namespace <name>', 'Cloud Map namespace for Service Connect (default: the one the service registers in)')
    .option(
      '--client-alias <name[:port]>',
      'with one --service: the name (and port) its clients call (default: from the mesh, Cloud Map or Route 53)',
    )
    .option(
      '--alias-owner <vs=service>',
      "the ECS service that takes a virtual service's name when its routes do not decide (ties, header routing); repeat for several",
      collect,
    )
    .option('--app-protocol <protocol>', 'http, http2 or grpc where the mesh does not say (default: http)')
    .option('--app-container <name>', 'application container (default: the first that is not envoy)')
    .option('--create-namespace', 'create the Cloud Map HTTP namespace when it does not exist')
    .option(
      '--tls-role <arn>',
      'IAM role for Service Connect TLS, where a listener had an ACM certificate from AWS Private CA (services[].tls.roleArn)',
    )
    .option(
      '--allow-partial',
      'plan without an object a CloudFormation or Terraform source could not read (its name unresolved); each is still named',
    )
    .option('--concurrency <n>', 'services of one wave migrated at once', String(DEFAULT_MIGRATE_CONCURRENCY));
}

/** The blue/green pair flags of status, abort and finish. */
export function addPairFlags(cmd: Command): Command {
  return cmd
    .option('--service <name>', 'a blue service; repeat for several', collect)
    .option('--all-services', 'every blue/green pair of the cluster: each green meshctl created (by its tags) beside its blue')
    .option('--green-name <name>', 'with one --service: the green service (default: <name>-sc)')
    .option('--route53 <zone-id:name>', 'with one --service: the Route 53 record apply made weighted (a =value after it is ignored)');
}

export const SOURCES_HELP = `
Where the facts come from: the task definitions (envoy's APPMESH_VIRTUAL_NODE_NAME, AppPorts, the app's
ports), the services' Cloud Map registrations, their load balancers and the Route 53 private records
that point at them, and App Mesh itself only while it answers. With App Mesh gone, give what you kept:
--mesh-file (meshctl's own, from mesh export), --from-cloudformation (a template with AWS::AppMesh::*),
or --from-terraform (terraform show -json). Aliases are the names clients call (a virtual service's DNS
name, the Cloud Map name, or the Route 53 record), never a load balancer's DNS name.`;
