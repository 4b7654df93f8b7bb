import type { Command } from 'commander';
import { parseTaskDefinitionRef } from '../../core/arn.js';
import { escapeControls } from '../../core/escape.js';
import { WORKSHOP_ENVOY_TAG } from '../../core/envoy/render.js';
import { APP_MESH_NAME } from '../../core/mesh/description.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_MESH, DEFAULT_VIRTUAL_NODE, type AddEnvoyOptions } from '../../steps/add-envoy.js';
import { checkAll, intFlag } from './common.js';
import { addOptions, type OptionDecl } from './declare.js';

/** The flags that choose and render envoy: add-envoy's own, which rollout shares. */
export interface EnvoyFlags {
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
}

/**
 * The flags that render envoy into a task definition, declared once: add-envoy's, which rollout takes
 * as they are (rollout's help says what its {service} template adds to --virtual-node).
 */
export const ENVOY_OPTIONS = {
  mesh: { flags: '--mesh <name>', help: `App Mesh mesh name (default: ${DEFAULT_MESH})` },
  virtualNode: { flags: '--virtual-node <name>', help: `virtual node envoy serves (default: ${DEFAULT_VIRTUAL_NODE})` },
  envoyImage: {
    flags: '--envoy-image <image>',
    help: `envoy image (default: the workshop's ${WORKSHOP_ENVOY_TAG} in the task's region; out of date)`,
  },
  appContainer: {
    flags: '--app-container <name>',
    help: 'application container that waits for envoy (default: the first that is not envoy)',
  },
  appPorts: {
    flags: '--app-ports <ports>',
    help: "comma-separated ports envoy intercepts (default: the app container's ports, else 3000)",
  },
  diff: { flags: '--diff', help: 'show what changes against the current revision' },
  skipMeshCheck: { flags: '--skip-mesh-check', help: 'register without checking that the virtual node (or gateway) exists' },
} as const satisfies Partial<Record<keyof EnvoyFlags, OptionDecl>>;

/** Adds the flags that render envoy (ENVOY_OPTIONS). */
export function addEnvoyFlags(cmd: Command): Command {
  return addOptions(cmd, Object.values(ENVOY_OPTIONS));
}

/** Checks an App Mesh name flag. */
export function meshNameFlag(value: string, flag: string): string {
  if (!APP_MESH_NAME.test(value)) throw new UsageError(`${flag}: "${escapeControls(value)}" is not a valid App Mesh name`);
  return value;
}

/** Checks an image reference: one word, no spaces. */
export function envoyImageFlag(value: string, flag: string): string {
  if (!/^[^\s]+$/.test(value)) throw new UsageError(`${flag}: an image reference has no spaces`);
  return value;
}

/** Validates add-envoy's sidecar flags; throws UsageError before any work starts. */
export function toAddEnvoyOptions(flags: EnvoyFlags): AddEnvoyOptions {
  const [mesh, virtualNode, , appPorts] = checkAll(
    () => meshNameFlag(flags.mesh ?? DEFAULT_MESH, '--mesh'),
    () => meshNameFlag(flags.virtualNode ?? DEFAULT_VIRTUAL_NODE, '--virtual-node'),
    () => flags.envoyImage !== undefined && envoyImageFlag(flags.envoyImage, '--envoy-image'),
    () => appPortsFlag(flags.appPorts),
    () => {
      if (flags.taskDefinition !== undefined && !parseTaskDefinitionRef(flags.taskDefinition))
        throw new UsageError(`--task-definition: "${flags.taskDefinition}" is not a task definition ARN, family:revision or family`);
    },
    () => {
      if (flags.fromFile !== undefined && flags.taskDefinition !== undefined)
        throw new UsageError('--from-file and --task-definition both name the task definition; pass one');
    },
  );
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

/** --app-ports: a comma-separated list of distinct ports. */
function appPortsFlag(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const ports = checkAll(...value.split(',').map((p) => () => intFlag(p.trim(), '--app-ports', 1, 65535)!));
  if (new Set(ports).size !== ports.length) throw new UsageError(`--app-ports: "${value}" names a port twice`);
  return ports;
}
