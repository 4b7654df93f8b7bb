import type {
  ContainerDefinition,
  ContainerDependency,
  HealthCheck,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { InputError } from '../../errors.js';
import { DescribedTaskDefinition, toRegisterInput } from '../task-definition.js';
import { ENVOY_CONTAINER } from './proxy.js';
import type { Note } from '../note.js';

/** The envoy image tag the workshop runbook uses; kept as the default so meshctl mirrors it. */
export const WORKSHOP_ENVOY_TAG = 'v1.11.2.0-prod';
/** The oldest envoy tag App Mesh still accepted in its last years. */
export const OLDEST_SUPPORTED_ENVOY_TAG = 'v1.17.2.0-prod';
export const ENVOY_UID = '1337';
export const DEFAULT_APP_PORT = 3000;
/** The ECS task metadata endpoint and the EC2 instance metadata service: Envoy must not proxy them. */
export const EGRESS_IGNORED_IPS = '169.254.170.2,169.254.169.254';

export interface EnvoyOptions {
  mesh: string;
  virtualNode: string;
  /** Full image reference; see workshopEnvoyImage for the runbook's. */
  envoyImage: string;
  /** Name of the app container; default the first container, as the jq pipeline does. */
  appContainer?: string;
  /** Ports Envoy intercepts; default the app container's containerPorts, else 3000. */
  appPorts?: number[];
  /** Any envoy already there counts as done, whatever node it serves (--all-services). */
  acceptAnyExistingEnvoy?: boolean;
}

export interface EnvoyPlan {
  /** The RegisterTaskDefinition input: the new revision, or the current one when nothing changes. */
  input: RegisterTaskDefinitionCommandInput;
  /** What the described revision would register as, before meshctl's changes (for --diff). */
  before: RegisterTaskDefinitionCommandInput;
  changed: boolean;
  family: string;
  sourceArn?: string;
  appContainer: string;
  appPorts: number[];
  notes: Note[];
}

/** The workshop's envoy image for a region. */
export function workshopEnvoyImage(region: string): string {
  return `840364872350.dkr.ecr.${region}.amazonaws.com/aws-appmesh-envoy:${WORKSHOP_ENVOY_TAG}`;
}

export function virtualNodeName(mesh: string, virtualNode: string): string {
  return `mesh/${mesh}/virtualNode/${virtualNode}`;
}

/** The workshop's envoy health check: the admin endpoint on 9901 reports LIVE. */
export function envoyHealthCheck(): HealthCheck {
  return {
    retries: 3,
    command: ['CMD-SHELL', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'],
    timeout: 2,
    interval: 5,
    startPeriod: 10,
  };
}

function envoyContainer(options: EnvoyOptions): ContainerDefinition {
  // Same keys, values and order as the workshop's jq.
  return {
    environment: [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: virtualNodeName(options.mesh, options.virtualNode) }],
    image: options.envoyImage,
    healthCheck: envoyHealthCheck(),
    essential: true,
    user: ENVOY_UID,
    name: ENVOY_CONTAINER,
  };
}

function proxyProperties(appPorts: number[]): KeyValuePair[] {
  return [
    { name: 'IgnoredUID', value: ENVOY_UID },
    { name: 'ProxyIngressPort', value: '15000' },
    { name: 'ProxyEgressPort', value: '15001' },
    { name: 'AppPorts', value: appPorts.join(',') },
    { name: 'EgressIgnoredIPs', value: EGRESS_IGNORED_IPS },
  ];
}

function pickAppContainer(containers: ContainerDefinition[], wanted: string | undefined): ContainerDefinition {
  if (wanted === undefined) return containers.find((c) => c.name !== ENVOY_CONTAINER) ?? containers[0]!;
  const found = containers.find((c) => c.name === wanted);
  if (!found) {
    const names = containers.map((c) => c.name).join(', ');
    throw new InputError(`--app-container: no container named "${wanted}" in the task definition (it has: ${names})`);
  }
  if (found.name === ENVOY_CONTAINER)
    throw new InputError('--app-container: "envoy" is the sidecar itself; name the application container');
  return found;
}

/** A warning when the image is the workshop's out-of-date one. */
export function envoyImageNotes(image: string): Note[] {
  if (!image.endsWith(`:${WORKSHOP_ENVOY_TAG}`)) return [];
  return [
    {
      level: 'warn',
      message:
        `envoy image ${WORKSHOP_ENVOY_TAG} is the workshop's and is out of date: App Mesh required ${OLDEST_SUPPORTED_ENVOY_TAG} or later ` +
        'in its last years. Choose a current image with --envoy-image.',
    },
  ];
}

function nodeNameOf(c: ContainerDefinition): string | undefined {
  return c.environment?.find((e) => e.name === 'APPMESH_VIRTUAL_NODE_NAME')?.value;
}

/**
 * An envoy already there is accepted when it serves the same virtual node (the sidecar's identity);
 * other differences are reported, not changed.
 */
function checkExistingEnvoy(existing: ContainerDefinition, want: ContainerDefinition, before: RegisterTaskDefinitionCommandInput): Note[] {
  const have = nodeNameOf(existing);
  if (have !== nodeNameOf(want)) {
    throw new InputError(
      `the task definition already has an envoy container for ${JSON.stringify(have ?? null)}, not "${nodeNameOf(want)}"; ` +
        'meshctl does not change an existing envoy: pass the --mesh and --virtual-node it serves, or edit it by hand',
    );
  }
  const notes: Note[] = [];
  if (existing.image !== want.image) notes.push({ level: 'info', message: `the existing envoy runs ${existing.image}; left as it is` });
  if (before.proxyConfiguration?.type !== 'APPMESH') {
    notes.push({
      level: 'warn',
      message: 'the task definition has an envoy container but no APPMESH proxyConfiguration; traffic will not pass through envoy',
    });
  }
  return notes;
}

/**
 * DescribeTaskDefinition output (plain JSON) and options in; the RegisterTaskDefinition input with the
 * envoy sidecar, its dependsOn and the APPMESH proxyConfiguration out. Rendering the result again
 * changes nothing.
 */
export function renderEnvoy(described: DescribedTaskDefinition, options: EnvoyOptions): EnvoyPlan {
  const before = toRegisterInput(described);
  const containers = before.containerDefinitions ?? [];
  const app = pickAppContainer(containers, options.appContainer);
  const appPorts = options.appPorts ?? appPortsOf(app);
  const notes: Note[] = [];
  const base = {
    before,
    family: before.family!,
    sourceArn: described.taskDefinition.taskDefinitionArn,
    appContainer: app.name!,
    appPorts,
  };
  const want = envoyContainer(options);

  const existing = containers.find((c) => c.name === ENVOY_CONTAINER);
  if (existing) {
    notes.push({ level: 'info', message: `${base.family} already has an envoy container; nothing to register` });
    if (!options.acceptAnyExistingEnvoy) notes.push(...checkExistingEnvoy(existing, want, before));
    return { ...base, input: before, changed: false, notes };
  }

  notes.push(...envoyImageNotes(options.envoyImage));
  if (before.networkMode !== undefined && before.networkMode !== 'awsvpc') {
    notes.push({
      level: 'warn',
      message: `networkMode is "${before.networkMode}"; the APPMESH proxyConfiguration needs "awsvpc", so ECS will reject this revision`,
    });
  }

  const input = structuredClone(before);
  input.containerDefinitions = containers.map((c) => (c.name === app.name ? { ...c, dependsOn: withEnvoyDependency(c.dependsOn) } : c));
  input.containerDefinitions.push(want);
  input.proxyConfiguration = { type: 'APPMESH', containerName: ENVOY_CONTAINER, properties: proxyProperties(appPorts) };
  return { ...base, input, changed: true, notes };
}

function withEnvoyDependency(dependsOn: ContainerDependency[] | undefined): ContainerDependency[] {
  // jq overwrites dependsOn; meshctl keeps what the app container already waits for.
  const kept = (dependsOn ?? []).filter((d) => d.containerName !== ENVOY_CONTAINER);
  return [...kept, { containerName: ENVOY_CONTAINER, condition: 'HEALTHY' }];
}

function appPortsOf(container: ContainerDefinition): number[] {
  const ports = (container.portMappings ?? []).map((p) => p.containerPort).filter((p): p is number => typeof p === 'number');
  return ports.length > 0 ? [...new Set(ports)] : [DEFAULT_APP_PORT];
}
