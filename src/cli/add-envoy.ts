import type { Command } from 'commander';
import { formatChanges } from '../core/json-diff.js';
import { APP_MESH_NAME } from '../core/mesh/description.js';
import { UsageError } from '../errors.js';
import { addEnvoyPlanLine } from '../core/rollout-plan.js';
import { addEnvoyPlanOf, runAddEnvoy, DEFAULT_MESH, type AddEnvoyResult } from '../steps/add-envoy.js';
import { runAddGateway, type AddGatewayResult, type GatewayOptions } from '../steps/add-gateway.js';
import type { Context, Deps } from '../runtime/context.js';
import { refuseExisting } from '../runtime/files.js';
import type { Report } from '../ui/output.js';
import { checkAll, contextOf, intFlag, nameFlag } from './options/common.js';
import { addOptions, flagNames, type OptionDecl } from './options/declare.js';
import { addEnvoyFlags, ENVOY_OPTIONS, meshNameFlag, toAddEnvoyOptions, type EnvoyFlags } from './options/envoy.js';

interface GatewayFlags {
  virtualGateway?: string;
  family?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  listenerPort?: string;
  cpu?: string;
  memory?: string;
}

type AddEnvoyFlags = EnvoyFlags & GatewayFlags & { region?: string };

/** add-envoy's own flags beside the ones that render envoy (ENVOY_OPTIONS), for a sidecar or a gateway. */
const ADD_ENVOY_OPTIONS = {
  fromFile: { flags: '--from-file <file>', help: 'read a DescribeTaskDefinition JSON instead of calling AWS' },
  dryRun: {
    flags: '--dry-run',
    help: 'make every read and check (the virtual node too), register nothing; with --from-file, no AWS call at all',
  },
  write: { flags: '--write <file>', help: 'write the RegisterTaskDefinition input JSON to this file (atomic, mode 0600)' },
  force: { flags: '--force', help: 'let --write replace an existing file' },
} as const satisfies Partial<Record<keyof AddEnvoyFlags, OptionDecl>>;

/** --virtual-gateway and the flags only a gateway takes. */
const VIRTUAL_GATEWAY_OPTION: OptionDecl = {
  flags: '--virtual-gateway <name|arn>',
  help: 'render the Envoy-only task definition this virtual gateway runs, instead of adding a sidecar',
};
const GATEWAY_OPTIONS = {
  family: { flags: '--family <name>', help: 'with --virtual-gateway: the task definition family' },
  taskRoleArn: { flags: '--task-role-arn <arn>', help: 'with --virtual-gateway: the task role (needs AWSAppMeshEnvoyAccess)' },
  executionRoleArn: { flags: '--execution-role-arn <arn>', help: 'with --virtual-gateway: the execution role' },
  listenerPort: {
    flags: '--listener-port <port>',
    help: "with --virtual-gateway: the gateway's listener port (default: the gateway's, else 8080)",
  },
  cpu: { flags: '--cpu <units>', help: 'with --virtual-gateway: task cpu (default: 256)' },
  memory: { flags: '--memory <mib>', help: 'with --virtual-gateway: task memory (default: 512)' },
} as const satisfies Record<keyof Omit<GatewayFlags, 'virtualGateway'>, OptionDecl>;

/** Flags that mean something only for a sidecar, and only for a gateway: the other variant refuses them. */
const SIDECAR_ONLY = {
  ...flagNames({
    diff: ENVOY_OPTIONS.diff,
    appPorts: ENVOY_OPTIONS.appPorts,
    fromFile: ADD_ENVOY_OPTIONS.fromFile,
    virtualNode: ENVOY_OPTIONS.virtualNode,
    appContainer: ENVOY_OPTIONS.appContainer,
  }),
  taskDefinition: '--task-definition',
};
const GATEWAY_ONLY = flagNames(GATEWAY_OPTIONS);

function refuse(flags: AddEnvoyFlags, names: Record<string, string>, why: string): void {
  const given = Object.entries(names)
    .filter(([key]) => flags[key as keyof AddEnvoyFlags] !== undefined)
    .map(([, flag]) => flag);
  if (given.length) throw new UsageError(`${given.join(', ')} ${given.length === 1 ? 'does' : 'do'} not apply ${why}`);
}

const ROLE_ARN = /^arn:[^:]+:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const GATEWAY_ARN = /^arn:[^:]+:appmesh:[^:]+:\d{12}:mesh\/[^/]+\/virtualGateway\/[^/]+$/;

/** Validates add-envoy --virtual-gateway's flags; throws UsageError before any work starts. `region` null: not known (no context). */
export function toGatewayOptions(flags: AddEnvoyFlags, region: string | undefined | null): GatewayOptions {
  const gateway = flags.virtualGateway!;
  const [, , , , mesh, family, listenerPort, cpu, memory, image] = checkAll(
    () => refuse(flags, SIDECAR_ONLY, 'with --virtual-gateway'),
    () => {
      const missing = Object.entries({
        '--family': flags.family,
        '--task-role-arn': flags.taskRoleArn,
        '--execution-role-arn': flags.executionRoleArn,
      }).filter(([, v]) => !v);
      if (missing.length)
        throw new UsageError(`${missing.map(([f]) => f).join(', ')} ${missing.length === 1 ? 'is' : 'are'} needed with --virtual-gateway`);
    },
    () =>
      checkAll(
        ...(
          [
            ['--task-role-arn', flags.taskRoleArn],
            ['--execution-role-arn', flags.executionRoleArn],
          ] as const
        ).map(([flag, value]) => () => {
          if (value && !ROLE_ARN.test(value)) throw new UsageError(`${flag}: "${value}" is not an IAM role ARN`);
        }),
      ),
    () => {
      if (gateway.startsWith('arn:') ? !GATEWAY_ARN.test(gateway) : !APP_MESH_NAME.test(gateway))
        throw new UsageError(
          `--virtual-gateway: "${gateway}" is not a virtual gateway name or ARN (arn:aws:appmesh:REGION:ACCOUNT:mesh/MESH/virtualGateway/NAME)`,
        );
    },
    () => meshNameFlag(flags.mesh ?? DEFAULT_MESH, '--mesh'),
    () => (flags.family ? nameFlag(flags.family, '--family') : ''),
    () => intFlag(flags.listenerPort, '--listener-port', 1, 65535),
    () => String(intFlag(flags.cpu ?? '256', '--cpu', 256, 16384)),
    () => String(intFlag(flags.memory ?? '512', '--memory', 512, 122880)),
    () => toAddEnvoyOptions({ envoyImage: flags.envoyImage }).envoyImage,
    () => {
      if (region === undefined) throw new UsageError('--virtual-gateway needs the region: pass --region or set AWS_REGION');
    },
  );
  return {
    mesh,
    virtualGateway: gateway,
    family,
    taskRoleArn: flags.taskRoleArn!,
    executionRoleArn: flags.executionRoleArn!,
    listenerPort,
    cpu,
    memory,
    envoyImage: image,
    region: region!,
    dryRun: flags.dryRun === true,
    write: flags.write,
    force: flags.force === true,
    skipMeshCheck: flags.skipMeshCheck === true,
  };
}

export function addEnvoyReport(result: AddEnvoyResult): Report {
  const lines: string[] = [];
  if (result.action === 'registered') lines.push(`registered ${result.taskDefinitionArn}`);
  else if (result.action === 'dry-run') lines.push(`dry run: ${addEnvoyPlanLine(addEnvoyPlanOf(result))}; nothing registered`);
  else lines.push(`unchanged: ${result.sourceTaskDefinitionArn ?? result.family} already has envoy; nothing registered`);
  if (result.written) lines.push(`wrote the RegisterTaskDefinition input to ${result.written}`);
  if (result.changes) lines.push(...(result.changes.length ? formatChanges(result.changes) : ['(no changes)']));
  return {
    data: {
      ...result,
      sourceTaskDefinitionArn: result.sourceTaskDefinitionArn ?? null,
      taskDefinitionArn: result.taskDefinitionArn ?? null,
      envoyImage: result.envoyImage ?? null,
      nextTaskDefinitionArn: result.nextTaskDefinitionArn ?? null,
      meshCheck: result.meshCheck ?? null,
    },
    lines,
  };
}

export function addGatewayReport(result: AddGatewayResult): Report {
  const head = {
    registered: `registered ${result.taskDefinitionArn} for ${result.virtualGatewayArn}`,
    unchanged: `unchanged: ${result.taskDefinitionArn} already runs ${result.virtualGatewayArn}; nothing registered`,
    'dry-run': `dry run: would register ${result.family} for ${result.virtualGatewayArn} on port ${result.listenerPort}`,
  }[result.action];
  return {
    data: { ...result, taskDefinitionArn: result.taskDefinitionArn ?? null },
    lines: [head, ...(result.written ? [`wrote the RegisterTaskDefinition input to ${result.written}`] : [])],
  };
}

const HELP = `
Examples:
  meshctl add-envoy                                   # cfn-output.json in this folder
  meshctl add-envoy --from-file td.json --dry-run --write out.json --diff
  meshctl add-envoy --task-definition crystal --envoy-image "$ENVOY_IMAGE"   # a current envoy

  meshctl add-envoy --virtual-gateway gateway --mesh local-mesh --family gateway-task \\
    --task-role-arn arn:aws:iam::123456789012:role/gw-task --execution-role-arn arn:aws:iam::123456789012:role/gw-exec --dry-run --write gw.json

Registers nothing, and exits 0, when the latest revision already has an envoy container (or, for a
gateway, already is what would be registered). Flags of one variant are refused with the other.`;

export function registerAddEnvoy(program: Command, deps: Deps): void {
  const addEnvoy = program.command('add-envoy').description('render a task definition revision with the Envoy sidecar and register it');
  addOptions(addEnvoyFlags(addEnvoy), [...Object.values(ADD_ENVOY_OPTIONS), VIRTUAL_GATEWAY_OPTION, ...Object.values(GATEWAY_OPTIONS)])
    .addHelpText('after', HELP)
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<AddEnvoyFlags>();
      const written = () => flags.write !== undefined && refuseExisting(flags.write, flags.force === true, '--write');
      if (flags.virtualGateway !== undefined) {
        // The region is the context's (flag or environment): a context that cannot be made has said what is wrong with it.
        let made: Context | undefined;
        const [ctx, opts] = checkAll(
          () => (made = contextOf(cmd, deps)),
          () => toGatewayOptions(flags, made ? made.region : null),
          written,
        );
        return deps.ui.result(addGatewayReport(await runAddGateway(ctx, opts)));
      }
      const [opts, ctx] = checkAll(
        () => toAddEnvoyOptions(flags),
        () => contextOf(cmd, deps),
        () => refuse(flags, GATEWAY_ONLY, 'without --virtual-gateway'),
        () => written(),
      );
      const { result } = await runAddEnvoy(ctx, opts);
      deps.ui.result(addEnvoyReport(result));
    });
}
