import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { Command } from 'commander';
import { parseTaskDefinitionRef, regionOfArn } from '../core/arn.js';
import { diffJson, formatChanges, type Change } from '../core/json-diff.js';
import { renderGatewayTaskDefinition } from '../core/render-gateway.js';
import { envoyImageNotes, renderEnvoy, toDescribed, toRegisterInput, virtualNodeName, workshopEnvoyImage, type DescribedTaskDefinition, type EnvoyOptions, type EnvoyPlan } from '../core/render-envoy.js';
import { pollDelay } from '../core/poll.js';
import { maskSecrets } from '../core/secrets.js';
import { AwsCallError, CheckFailedError, InputError, UsageError } from '../errors.js';
import type { Report } from '../ui/output.js';
import { createContext, intFlag, nameFlag, type Context, type Deps } from './context.js';
import { readTextFile, writeFileAtomic } from './files.js';

export const DEFAULT_MESH = 'appmesh-workshop';
export const DEFAULT_VIRTUAL_NODE = 'crystal-lb-vanilla';

export interface AddEnvoyFlags {
  taskDefinition?: string;
  mesh?: string;
  virtualNode?: string;
  envoyImage?: string;
  appContainer?: string;
  appPorts?: string;
  fromFile?: string;
  dryRun?: boolean;
  write?: string;
  force?: boolean;
  diff?: boolean;
  skipMeshCheck?: boolean;
  virtualGateway?: string;
  family?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  listenerPort?: string;
  cpu?: string;
  memory?: string;
}

export interface AddEnvoyOptions {
  taskDefinition?: string;
  mesh: string;
  virtualNode: string;
  envoyImage?: string;
  appContainer?: string;
  appPorts?: number[];
  fromFile?: string;
  dryRun: boolean;
  write?: string;
  force: boolean;
  diff: boolean;
  skipMeshCheck: boolean;
  acceptAnyExistingEnvoy?: boolean;
}

const MESH_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** Validates add-envoy's own flags; throws UsageError before any work starts. */
export function toAddEnvoyOptions(flags: AddEnvoyFlags): AddEnvoyOptions {
  const mesh = flags.mesh ?? DEFAULT_MESH;
  const virtualNode = flags.virtualNode ?? DEFAULT_VIRTUAL_NODE;
  if (!MESH_NAME.test(mesh)) throw new UsageError(`--mesh: "${mesh}" is not a valid App Mesh name`);
  if (!MESH_NAME.test(virtualNode)) throw new UsageError(`--virtual-node: "${virtualNode}" is not a valid App Mesh name`);
  if (flags.envoyImage !== undefined && !/^[^\s]+$/.test(flags.envoyImage)) throw new UsageError('--envoy-image: an image reference has no spaces');
  let appPorts: number[] | undefined;
  if (flags.appPorts !== undefined) {
    appPorts = flags.appPorts.split(',').map((p) => intFlag(p.trim(), '--app-ports', 1, 65535)!);
    if (new Set(appPorts).size !== appPorts.length) throw new UsageError(`--app-ports: "${flags.appPorts}" names a port twice`);
  }
  if (flags.taskDefinition !== undefined && !parseTaskDefinitionRef(flags.taskDefinition)) {
    throw new UsageError(`--task-definition: "${flags.taskDefinition}" is not a task definition ARN, family:revision or family`);
  }
  if (flags.fromFile !== undefined && flags.taskDefinition !== undefined) {
    throw new UsageError('--from-file and --task-definition both name the task definition; pass one');
  }
  return {
    taskDefinition: flags.taskDefinition,
    mesh,
    virtualNode,
    envoyImage: flags.envoyImage,
    appContainer: flags.appContainer,
    appPorts,
    fromFile: flags.fromFile,
    dryRun: flags.dryRun === true,
    write: flags.write,
    force: flags.force === true,
    diff: flags.diff === true,
    skipMeshCheck: flags.skipMeshCheck === true,
  };
}

export interface AddEnvoyResult {
  action: 'registered' | 'dry-run' | 'unchanged';
  family: string;
  sourceTaskDefinitionArn?: string;
  /** The revision to run: the one registered, else the described one. */
  taskDefinitionArn?: string;
  appContainer: string;
  appPorts: number[];
  envoyImage?: string;
  virtualNode: string;
  written?: string;
  changes?: Change[];
  /** With --dry-run: what would be registered (secret-looking values masked unless --show-secrets). */
  registerInput?: unknown;
  warnings: string[];
}

/**
 * The task definition add-envoy starts from: the flag as given, or the family of cfn-output's value,
 * so that a re-run after a rollout sees the latest revision (cfn-output keeps naming :1).
 */
export async function taskDefinitionToDescribe(ctx: Context, flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  const value = await ctx.cfn('taskDefinition', undefined);
  const ref = parseTaskDefinitionRef(value);
  if (!ref) throw new InputError(`cfn-output.json: CrystalTaskDefinition "${value}" is not a task definition ARN or family; pass --task-definition`);
  return ref.family;
}

async function loadDescribed(ctx: Context, opts: AddEnvoyOptions): Promise<DescribedTaskDefinition> {
  if (opts.fromFile !== undefined) {
    const text = await readTextFile(opts.fromFile, '--from-file');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InputError(`${opts.fromFile}: not valid JSON (${(err as Error).message})`);
    }
    return toDescribed(json, opts.fromFile);
  }
  const ecs = await ctx.aws.ecs();
  return ecs.describeTaskDefinition(await taskDefinitionToDescribe(ctx, opts.taskDefinition));
}

function envoyImageFor(ctx: Context, opts: AddEnvoyOptions, described: DescribedTaskDefinition): string {
  if (opts.envoyImage) return opts.envoyImage;
  // The image must come from the task's own region: the ARN says which, else --region / AWS_REGION.
  const region = regionOfArn(described.taskDefinition.taskDefinitionArn) ?? ctx.region;
  if (!region) throw new UsageError('cannot tell which region the envoy image is for; pass --region or --envoy-image');
  return workshopEnvoyImage(region);
}

/** add-envoy's work, for the command and for rollout. */
export async function runAddEnvoy(ctx: Context, opts: AddEnvoyOptions): Promise<{ result: AddEnvoyResult; plan: EnvoyPlan }> {
  const described = await loadDescribed(ctx, opts);
  const envoyImage = envoyImageFor(ctx, opts, described);
  const envoyOptions: EnvoyOptions = { mesh: opts.mesh, virtualNode: opts.virtualNode, envoyImage, appContainer: opts.appContainer, appPorts: opts.appPorts, acceptAnyExistingEnvoy: opts.acceptAnyExistingEnvoy };
  const plan = renderEnvoy(described, envoyOptions);
  ctx.ui.notes(plan.notes);
  const result: AddEnvoyResult = {
    action: plan.changed ? (opts.dryRun ? 'dry-run' : 'registered') : 'unchanged',
    family: plan.family,
    sourceTaskDefinitionArn: plan.sourceArn,
    taskDefinitionArn: plan.sourceArn,
    appContainer: plan.appContainer,
    appPorts: plan.appPorts,
    envoyImage: plan.changed ? envoyImage : undefined,
    virtualNode: virtualNodeName(opts.mesh, opts.virtualNode),
    warnings: plan.notes.filter((n) => n.level === 'warn').map((n) => n.message),
  };
  const show = <T>(v: T): T => (ctx.showSecrets ? v : maskSecrets(v));
  if (opts.diff) result.changes = diffJson(show(plan.before), show(plan.input));
  if (opts.dryRun && plan.changed) result.registerInput = show(plan.input);
  if (opts.write !== undefined) {
    await writeFileAtomic(opts.write, `${JSON.stringify(plan.input, null, 2)}\n`, opts.force);
    result.written = opts.write;
  }
  if (!plan.changed || opts.dryRun) return { result, plan };

  ctx.checkpoint();
  if (!opts.skipMeshCheck) {
    const node = await (await ctx.aws.appMesh()).describeVirtualNode(opts.mesh, opts.virtualNode);
    if (!node || node.status === 'DELETED') {
      throw new CheckFailedError(
        `virtual node "${opts.virtualNode}" does not exist in mesh "${opts.mesh}"; nothing was registered. ` +
          'Create it first, name another with --mesh/--virtual-node, or pass --skip-mesh-check',
      );
    }
  }
  ctx.checkpoint();
  result.taskDefinitionArn = await registerOnce(ctx, plan.input, (latest) => !renderEnvoy(latest, envoyOptions).changed);
  return { result, plan };
}

export const REGISTER_ATTEMPTS = 5;

/**
 * RegisterTaskDefinition is not idempotent: when an answer is lost (a reset, a 5xx after the write),
 * trying again blindly registers a second revision. Before each new attempt this reads the family's
 * latest revision; if `landed` says it already is what was asked for, the lost call landed and its ARN
 * is the result.
 */
export async function registerOnce(ctx: Context, input: RegisterTaskDefinitionCommandInput, landed: (latest: DescribedTaskDefinition) => boolean): Promise<string> {
  const ecs = await ctx.aws.ecs();
  for (let attempt = 1; ; attempt++) {
    try {
      return (await ecs.registerTaskDefinition(input)).taskDefinitionArn;
    } catch (err) {
      if (!(err instanceof AwsCallError) || !err.retryable || attempt >= REGISTER_ATTEMPTS) throw err;
      ctx.ui.verbose(`RegisterTaskDefinition attempt ${attempt} failed (${err.errorName}); checking whether it registered before trying again`);
      await ctx.deps.clock.sleep(pollDelay(attempt - 1, 8000, ctx.deps.clock.random()), ctx.deps.signal);
      const latest = await ecs.describeTaskDefinition(input.family!);
      if (landed(latest)) return latest.taskDefinition.taskDefinitionArn!;
    }
  }
}

export function addEnvoyReport(result: AddEnvoyResult): Report {
  const lines: string[] = [];
  if (result.action === 'registered') lines.push(`registered ${result.taskDefinitionArn}`);
  else if (result.action === 'dry-run') lines.push(`dry run: would register a new revision of ${result.family} with envoy (${result.virtualNode})`);
  else lines.push(`unchanged: ${result.sourceTaskDefinitionArn ?? result.family} already has envoy; nothing registered`);
  if (result.written) lines.push(`wrote the RegisterTaskDefinition input to ${result.written}`);
  if (result.changes) lines.push(...(result.changes.length ? formatChanges(result.changes) : ['(no changes)']));
  return { data: { ...result }, lines };
}

export function registerAddEnvoy(program: Command, deps: Deps): void {
  program
    .command('add-envoy')
    .description('render a task definition revision with the Envoy sidecar and register it')
    .option('--mesh <name>', `App Mesh mesh name (default: ${DEFAULT_MESH})`)
    .option('--virtual-node <name>', `virtual node envoy serves (default: ${DEFAULT_VIRTUAL_NODE})`)
    .option('--envoy-image <image>', "envoy image (default: the workshop's v1.11.2.0-prod in the task's region; out of date)")
    .option('--app-container <name>', 'application container that waits for envoy (default: the first container)')
    .option('--app-ports <ports>', "comma-separated ports envoy intercepts (default: the app container's ports, else 3000)")
    .option('--from-file <file>', 'read a DescribeTaskDefinition JSON instead of calling AWS')
    .option('--dry-run', 'render only; register nothing')
    .option('--write <file>', 'write the RegisterTaskDefinition input JSON to this file (atomic, mode 0600)')
    .option('--force', 'let --write replace an existing file')
    .option('--diff', 'show what changes against the current revision')
    .option('--skip-mesh-check', 'register without checking that the virtual node (or gateway) exists')
    .option('--virtual-gateway <name|arn>', "render the Envoy-only task definition this virtual gateway runs, instead of adding a sidecar")
    .option('--family <name>', 'with --virtual-gateway: the task definition family')
    .option('--task-role-arn <arn>', 'with --virtual-gateway: the task role (needs AWSAppMeshEnvoyAccess)')
    .option('--execution-role-arn <arn>', 'with --virtual-gateway: the execution role')
    .option('--listener-port <port>', "with --virtual-gateway: the gateway's listener port (default: the gateway's, else 8080)")
    .option('--cpu <units>', 'with --virtual-gateway: task cpu', '256')
    .option('--memory <mib>', 'with --virtual-gateway: task memory', '512')
    .addHelpText(
      'after',
      `
Examples:
  meshctl add-envoy                                   # cfn-output.json in this folder
  meshctl add-envoy --from-file td.json --dry-run --write out.json --diff
  meshctl add-envoy --task-definition crystal --envoy-image "$ENVOY_IMAGE"   # a current envoy

  meshctl add-envoy --virtual-gateway gateway --mesh local-mesh --family gateway-task \\
    --task-role-arn arn:aws:iam::123456789012:role/gw-task --execution-role-arn arn:aws:iam::123456789012:role/gw-exec --dry-run --write gw.json

Registers nothing, and exits 0, when the latest revision already has an envoy container (or, for a
gateway, already is what would be registered).`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<AddEnvoyFlags>();
      const opts = toAddEnvoyOptions(flags);
      if (flags.virtualGateway !== undefined) return runAddGateway(cmd, deps, flags, opts);
      const ctx = createContext(cmd, deps);
      const { result } = await runAddEnvoy(ctx, opts);
      deps.ui.result(addEnvoyReport(result));
    });
}

export interface AddGatewayResult {
  action: 'registered' | 'dry-run' | 'unchanged';
  family: string;
  virtualGatewayArn: string;
  listenerPort: number;
  taskDefinitionArn?: string;
  written?: string;
  registerInput?: unknown;
}

/** add-envoy --virtual-gateway: the Envoy-only task definition a virtual gateway runs. */
async function runAddGateway(cmd: Command, deps: Deps, flags: AddEnvoyFlags, opts: AddEnvoyOptions): Promise<void> {
  for (const [flag, value] of [['--family', flags.family], ['--task-role-arn', flags.taskRoleArn], ['--execution-role-arn', flags.executionRoleArn]] as const) {
    if (!value) throw new UsageError(`${flag} is needed with --virtual-gateway`);
  }
  const family = nameFlag(flags.family!, '--family');
  for (const [flag, value] of [['--task-role-arn', flags.taskRoleArn!], ['--execution-role-arn', flags.executionRoleArn!]] as const) {
    if (!/^arn:[^:]+:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(value)) throw new UsageError(`${flag}: "${value}" is not an IAM role ARN`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/.test(flags.virtualGateway!) && !flags.virtualGateway!.startsWith('arn:aws')) {
    throw new UsageError(`--virtual-gateway: "${flags.virtualGateway}" is not a virtual gateway name or ARN`);
  }
  const cpu = String(intFlag(flags.cpu, '--cpu', 256, 16384));
  const memory = String(intFlag(flags.memory, '--memory', 512, 122880));
  let listenerPort = intFlag(flags.listenerPort, '--listener-port', 1, 65535);
  const ctx = createContext(cmd, deps);
  const region = ctx.region;
  if (!region) throw new UsageError('--virtual-gateway needs the region: pass --region or set AWS_REGION');
  const gatewayName = flags.virtualGateway!.split('/').pop()!;
  if (!opts.skipMeshCheck && !opts.dryRun) {
    const gw = await (await ctx.aws.appMesh()).describeVirtualGateway(opts.mesh, gatewayName);
    if (!gw) throw new CheckFailedError(`virtual gateway "${gatewayName}" does not exist in mesh "${opts.mesh}"; nothing was registered. Create it first, or pass --skip-mesh-check`);
    listenerPort ??= gw.ports[0];
  }
  const input = renderGatewayTaskDefinition({
    family,
    mesh: opts.mesh,
    virtualGateway: flags.virtualGateway!,
    region,
    taskRoleArn: flags.taskRoleArn!,
    executionRoleArn: flags.executionRoleArn!,
    listenerPort: listenerPort ?? 8080,
    envoyImage: opts.envoyImage ?? workshopEnvoyImage(region),
    cpu,
    memory,
  });
  ctx.ui.notes(envoyImageNotes(input.containerDefinitions![0]!.image!));
  const result: AddGatewayResult = { action: opts.dryRun ? 'dry-run' : 'registered', family, virtualGatewayArn: input.containerDefinitions![0]!.environment![0]!.value!, listenerPort: listenerPort ?? 8080 };
  if (opts.write !== undefined) {
    await writeFileAtomic(opts.write, `${JSON.stringify(input, null, 2)}\n`, opts.force);
    result.written = opts.write;
  }
  if (opts.dryRun) {
    result.registerInput = input;
  } else {
    // Idempotent: when the family's latest revision already is this task definition, nothing is registered.
    const ecs = await ctx.aws.ecs();
    const latest = await ecs.describeTaskDefinition(family).catch(() => undefined);
    // What AWS fills in (defaults such as hostPort or volumes: []) does not count as a difference.
    const same = (d: DescribedTaskDefinition) => diffJson(toRegisterInput(d), input).every((c) => c.op === 'remove');
    if (latest && same(latest)) {
      result.action = 'unchanged';
      result.taskDefinitionArn = latest.taskDefinition.taskDefinitionArn;
    } else {
      ctx.checkpoint();
      result.taskDefinitionArn = await registerOnce(ctx, input, same);
    }
  }
  const lines = [
    result.action === 'registered'
      ? `registered ${result.taskDefinitionArn} for ${result.virtualGatewayArn}`
      : result.action === 'unchanged'
        ? `unchanged: ${result.taskDefinitionArn} already runs ${result.virtualGatewayArn}; nothing registered`
        : `dry run: would register ${family} for ${result.virtualGatewayArn} on port ${result.listenerPort}`,
    ...(result.written ? [`wrote the RegisterTaskDefinition input to ${result.written}`] : []),
  ];
  deps.ui.result({ data: { ...result }, lines });
}
