import { diffJson } from '../core/json-diff.js';
import { renderGatewayTaskDefinition } from '../core/envoy/gateway.js';
import { envoyImageNotes, workshopEnvoyImage } from '../core/envoy/render.js';
import { toRegisterInput, type DescribedTaskDefinition } from '../core/task-definition.js';
import { CheckFailedError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { writeFileAtomic } from '../runtime/files.js';
import { registerOnce } from './register-once.js';

/** add-envoy --virtual-gateway, validated: every field is known (see toGatewayOptions). */
export interface GatewayOptions {
  mesh: string;
  /** The gateway's name, or its ARN. */
  virtualGateway: string;
  family: string;
  taskRoleArn: string;
  executionRoleArn: string;
  listenerPort?: number;
  cpu: string;
  memory: string;
  envoyImage?: string;
  region: string;
  dryRun: boolean;
  write?: string;
  force: boolean;
  skipMeshCheck: boolean;
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

export const DEFAULT_GATEWAY_PORT = 8080;

/** The Envoy-only task definition a virtual gateway runs: rendered, and registered once. */
export async function runAddGateway(ctx: Context, opts: GatewayOptions): Promise<AddGatewayResult> {
  const gatewayName = opts.virtualGateway.split('/').pop()!;
  let listenerPort = opts.listenerPort;
  if (!opts.skipMeshCheck && !opts.dryRun) {
    const gw = await (await ctx.aws.appMesh()).describeVirtualGateway(opts.mesh, gatewayName);
    if (!gw) {
      throw new CheckFailedError(
        `virtual gateway "${gatewayName}" does not exist in mesh "${opts.mesh}"; nothing was registered. Create it first, or pass --skip-mesh-check`,
      );
    }
    listenerPort ??= gw.ports[0];
  }
  const port = listenerPort ?? DEFAULT_GATEWAY_PORT;
  const input = renderGatewayTaskDefinition({
    family: opts.family,
    mesh: opts.mesh,
    virtualGateway: opts.virtualGateway,
    region: opts.region,
    taskRoleArn: opts.taskRoleArn,
    executionRoleArn: opts.executionRoleArn,
    listenerPort: port,
    envoyImage: opts.envoyImage ?? workshopEnvoyImage(opts.region),
    cpu: opts.cpu,
    memory: opts.memory,
  });
  const envoy = input.containerDefinitions?.[0];
  ctx.ui.notes(envoyImageNotes(envoy?.image ?? ''));
  const virtualGatewayArn = envoy?.environment?.find((e) => e.name === 'APPMESH_RESOURCE_ARN')?.value ?? opts.virtualGateway;
  const result: AddGatewayResult = {
    action: opts.dryRun ? 'dry-run' : 'registered',
    family: opts.family,
    virtualGatewayArn,
    listenerPort: port,
  };
  if (opts.write !== undefined) {
    await writeFileAtomic(opts.write, `${JSON.stringify(input, null, 2)}\n`, opts.force);
    result.written = opts.write;
  }
  if (opts.dryRun) return { ...result, registerInput: input };
  // Idempotent: when the family's latest revision already is this task definition, nothing is registered.
  const ecs = await ctx.aws.ecs();
  const latest = await ecs.describeTaskDefinitionIfExists(opts.family);
  // What AWS fills in (defaults such as hostPort or volumes: []) does not count as a difference.
  const same = (d: DescribedTaskDefinition) => diffJson(toRegisterInput(d), input).every((c) => c.op === 'remove');
  if (latest && same(latest)) return { ...result, action: 'unchanged', taskDefinitionArn: latest.taskDefinition.taskDefinitionArn };
  ctx.checkpoint();
  return { ...result, taskDefinitionArn: await registerOnce(ctx, input, same) };
}
