import { parseTaskDefinitionRef, regionOfArn } from '../core/arn.js';
import { diffJson, type Change } from '../core/json-diff.js';
import { renderEnvoy, virtualNodeName, workshopEnvoyImage, type EnvoyOptions, type EnvoyPlan } from '../core/envoy/render.js';
import { toDescribed, type DescribedTaskDefinition } from '../core/task-definition.js';
import { nextRevision, type AddEnvoyPlan } from '../core/rollout-plan.js';
import { escapeControls } from '../core/escape.js';
import { maskSecrets } from '../core/secrets.js';
import { CheckFailedError, InputError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { readJsonFile, writeFileAtomic } from '../runtime/files.js';
import { registerOnce } from './register-once.js';
import { describeNamedTaskDefinition } from './service.js';

export const DEFAULT_MESH = 'appmesh-workshop';
export const DEFAULT_VIRTUAL_NODE = 'crystal-lb-vanilla';

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
  /** With --dry-run, when something changes: the revision the registration would get (not known offline). */
  nextTaskDefinitionArn?: string;
  /** When something changes: how the virtual node check went (see AddEnvoyPlan). */
  meshCheck?: AddEnvoyPlan['meshCheck'];
  warnings: string[];
}

/** What a dry run of add-envoy says it would do. */
export function addEnvoyPlanOf(result: AddEnvoyResult): AddEnvoyPlan {
  const register = result.action !== 'unchanged';
  return {
    action: register ? 'register' : 'unchanged',
    family: result.family,
    sourceTaskDefinitionArn: result.sourceTaskDefinitionArn ?? null,
    taskDefinitionArn: (register ? result.nextTaskDefinitionArn : result.taskDefinitionArn) ?? null,
    virtualNode: result.virtualNode,
    meshCheck: result.meshCheck ?? null,
  };
}

/**
 * The task definition add-envoy starts from: the flag as given, or the family of cfn-output's value,
 * so that a re-run after a rollout sees the latest revision (cfn-output keeps naming :1).
 */
export async function taskDefinitionToDescribe(ctx: Context, flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  const value = await ctx.cfn('taskDefinition', undefined);
  const ref = parseTaskDefinitionRef(value);
  if (!ref)
    throw new InputError(
      `${ctx.cfnFile}: CrystalTaskDefinition "${escapeControls(value)}" is not a task definition ARN or family; pass --task-definition`,
    );
  return ref.family;
}

async function loadDescribed(ctx: Context, opts: AddEnvoyOptions): Promise<DescribedTaskDefinition> {
  if (opts.fromFile !== undefined) return toDescribed(await readJsonFile(opts.fromFile, '--from-file'), opts.fromFile);
  const ref = await taskDefinitionToDescribe(ctx, opts.taskDefinition);
  return describeNamedTaskDefinition(
    ctx,
    ref,
    opts.taskDefinition !== undefined ? '--task-definition' : `${ctx.cfnFile}: CrystalTaskDefinition`,
  );
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
  const envoyOptions: EnvoyOptions = {
    mesh: opts.mesh,
    virtualNode: opts.virtualNode,
    envoyImage,
    appContainer: opts.appContainer,
    appPorts: opts.appPorts,
    acceptAnyExistingEnvoy: opts.acceptAnyExistingEnvoy,
  };
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
  if (!plan.changed) return { result, plan };

  // A dry run makes every read and check the real run makes and stops before RegisterTaskDefinition;
  // only --from-file --dry-run stays offline (no AWS call at all), and says what it did not check.
  const offline = opts.dryRun && opts.fromFile !== undefined;
  ctx.checkpoint();
  if (offline) {
    if (!opts.skipMeshCheck)
      ctx.ui.info(`note: virtual node "${opts.virtualNode}" in mesh "${opts.mesh}" not checked: --from-file --dry-run calls no AWS`);
  } else await checkVirtualNode(ctx, opts);
  result.meshCheck = opts.skipMeshCheck ? 'skipped' : offline ? 'offline' : 'passed';
  if (opts.dryRun) {
    if (!offline) result.nextTaskDefinitionArn = await predictRevision(ctx, plan);
    return { result, plan };
  }
  ctx.checkpoint();
  result.taskDefinitionArn = await registerOnce(ctx, plan.input, (latest) => !renderEnvoy(latest, envoyOptions).changed);
  return { result, plan };
}

/** The revision RegisterTaskDefinition would create: past every number the family holds, deregistered ones included. */
async function predictRevision(ctx: Context, plan: EnvoyPlan): Promise<string> {
  const ecs = await ctx.aws.ecs();
  const [active, inactive] = await Promise.all([ecs.listTaskDefinitions(plan.family), ecs.listTaskDefinitions(plan.family, 'INACTIVE')]);
  return nextRevision(plan.family, plan.sourceArn, [...active, ...inactive]);
}

/** The virtual node envoy will serve must exist before anything is registered. */
async function checkVirtualNode(ctx: Context, opts: AddEnvoyOptions): Promise<void> {
  if (!opts.skipMeshCheck) {
    const node = await (await ctx.aws.appMesh()).describeVirtualNode(opts.mesh, opts.virtualNode);
    if (!node || node.status === 'DELETED') {
      throw new CheckFailedError(
        `virtual node "${opts.virtualNode}" does not exist in mesh "${opts.mesh}"; nothing was registered. ` +
          'Create it first, name another with --mesh/--virtual-node, or pass --skip-mesh-check',
      );
    }
  }
}
