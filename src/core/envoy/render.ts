import type {
  ContainerDefinition,
  ContainerDependency,
  HealthCheck,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { InputError } from '../../errors.js';
import { escapeControls } from '../escape.js';

/** The envoy image tag the workshop runbook uses; kept as the default so meshctl mirrors it. */
export const WORKSHOP_ENVOY_TAG = 'v1.11.2.0-prod';
/** The oldest envoy tag App Mesh still accepted in its last years. */
export const OLDEST_SUPPORTED_ENVOY_TAG = 'v1.17.2.0-prod';
export const ENVOY_CONTAINER = 'envoy';
export const ENVOY_UID = '1337';
export const DEFAULT_APP_PORT = 3000;
/** The ECS task metadata endpoint and the EC2 instance metadata service: Envoy must not proxy them. */
export const EGRESS_IGNORED_IPS = '169.254.170.2,169.254.169.254';

/**
 * Fields of a DescribeTaskDefinition answer that RegisterTaskDefinition rejects. The workshop's jq
 * deletes the first five; registeredAt, registeredBy and deregisteredAt came later and are rejected too.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
 */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  'status',
  'compatibilities',
  'taskDefinitionArn',
  'requiresAttributes',
  'revision',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

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

export interface Note {
  level: 'info' | 'warn';
  message: string;
}

export interface DescribedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags?: Tag[];
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

/** Deeper than anything meshctl reads (a described task definition nests under 10 levels): deeper input is a mistake, or meant to overflow the stack. */
export const MAX_JSON_DEPTH = 64;

type PathPart = string | number;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Path parts in; the path as the user writes it out: `taskDefinition.containerDefinitions[0].name`, `tags["a b"]`. */
export function jsonPath(parts: readonly PathPart[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (IDENTIFIER.test(p)) out += out ? `.${p}` : p;
    else out += `[${escapeControls(JSON.stringify(p))}]`;
  }
  return out;
}

/** A JSON value in; what it is, for a message, out: an object, a list, a string, a number, a boolean, null. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

const isJsonObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Frame {
  value: object;
  depth: number;
  key?: PathPart;
  parent?: Frame;
}

const PATH_SHOWN = 8;

/**
 * Parsed JSON in; throws an InputError naming `source` and the path when it nests deeper than `max`.
 * It walks with a list of its own, not the call stack, so it cannot overflow either.
 */
export function checkJsonDepth(value: unknown, source: string, max = MAX_JSON_DEPTH): void {
  if (value === null || typeof value !== 'object') return;
  const stack: Frame[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > max) {
      const parts: PathPart[] = [];
      for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) parts.unshift(f.key);
      const shown = jsonPath(parts.slice(0, PATH_SHOWN)) + (parts.length > PATH_SHOWN ? '…' : '');
      throw new InputError(`${source}: ${shown}: nested deeper than ${max} levels; is this the right file?`);
    }
    const children: [PathPart, unknown][] = Array.isArray(frame.value)
      ? frame.value.map((v: unknown, i) => [i, v])
      : Object.entries(frame.value);
    // Pushed last to first, so that the first too-deep path in the file is the one named.
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, child] = children[i]!;
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, key, parent: frame });
    }
  }
}

/** A JSON type: a leaf, a list of one shape, or an object whose named fields have shapes (others are not looked at). */
type Shape = 'string' | 'number' | 'boolean' | { list: Shape } | { fields: Fields };
type Fields = Readonly<Record<string, Shape>>;

const NAME_VALUE: Shape = { fields: { name: 'string', value: 'string' } };

/**
 * The fields of a task definition that meshctl reads, with the JSON types ECS gives them: anything else
 * is copied to RegisterTaskDefinition as it is, for ECS to judge.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
 */
const CONTAINER_DEFINITION: Fields = {
  name: 'string',
  image: 'string',
  user: 'string',
  environment: { list: NAME_VALUE },
  portMappings: {
    list: { fields: { containerPort: 'number', hostPort: 'number', name: 'string', protocol: 'string', appProtocol: 'string' } },
  },
  dependsOn: { list: { fields: { containerName: 'string', condition: 'string' } } },
  secrets: { list: { fields: { name: 'string', valueFrom: 'string' } } },
  environmentFiles: { list: { fields: { value: 'string', type: 'string' } } },
};
const TASK_DEFINITION: Fields = {
  family: 'string',
  taskDefinitionArn: 'string',
  networkMode: 'string',
  taskRoleArn: 'string',
  executionRoleArn: 'string',
  containerDefinitions: { list: { fields: CONTAINER_DEFINITION } },
  proxyConfiguration: { fields: { type: 'string', containerName: 'string', properties: { list: NAME_VALUE } } },
};
const TAGS: Shape = { list: { fields: { key: 'string', value: 'string' } } };

const SHAPE_NAMES = { string: 'a string', number: 'a number', boolean: 'true or false' } as const;

function shapeProblem(value: unknown, shape: Shape): string | undefined {
  if (typeof shape === 'string') return typeof value === shape ? undefined : `must be ${SHAPE_NAMES[shape]}, found ${jsonKind(value)}`;
  if ('list' in shape) return Array.isArray(value) ? undefined : `must be a list, found ${jsonKind(value)}`;
  return isJsonObject(value) ? undefined : `must be an object, found ${jsonKind(value)}`;
}

/** Throws an InputError naming `source` and the path of the first value that does not have its shape. */
function checkShape(value: unknown, shape: Shape, path: PathPart[], source: string): void {
  const problem = shapeProblem(value, shape);
  if (problem) throw new InputError(`${source}: ${jsonPath(path)}: ${problem}`);
  if (typeof shape === 'string') return;
  if ('list' in shape) (value as unknown[]).forEach((item, i) => checkShape(item, shape.list, [...path, i], source));
  else checkFields(value as Record<string, unknown>, shape.fields, path, source);
}

/** A field that is absent or null counts as not given, as the renderer reads it. */
function checkFields(obj: Record<string, unknown>, fields: Fields, path: PathPart[], source: string): void {
  for (const [key, shape] of Object.entries(fields)) {
    const v = obj[key];
    if (v !== undefined && v !== null) checkShape(v, shape, [...path, key], source);
  }
}

/**
 * Accepts a DescribeTaskDefinition answer (`{ taskDefinition, tags }`) or a bare task definition,
 * as parsed JSON; `source` names it in errors. Checks the shape of every field meshctl reads, and
 * the nesting of all of it, naming the path as the user wrote it.
 */
export function toDescribed(value: unknown, source: string): DescribedTaskDefinition {
  if (!isJsonObject(value)) {
    throw new InputError(`${source}: expected a DescribeTaskDefinition JSON object, found ${jsonKind(value)}`);
  }
  checkJsonDepth(value, source);
  const wrapped = value.taskDefinition !== undefined && value.taskDefinition !== null;
  const td = wrapped ? value.taskDefinition : value;
  const at: PathPart[] = wrapped ? ['taskDefinition'] : [];
  const where = (...parts: PathPart[]) => jsonPath([...at, ...parts]);
  if (!isJsonObject(td)) throw new InputError(`${source}: taskDefinition: must be an object, found ${jsonKind(td)}`);
  if (td.family === undefined || td.family === null || td.family === '') {
    throw new InputError(`${source}: ${where('family')} is missing; is this a DescribeTaskDefinition output?`);
  }
  const containers = td.containerDefinitions;
  if (containers === undefined || containers === null || (Array.isArray(containers) && containers.length === 0)) {
    throw new InputError(`${source}: ${where('containerDefinitions')} is missing or empty; a task definition needs at least one container`);
  }
  checkFields(td, TASK_DEFINITION, at, source);
  const seen = new Set<string>();
  (containers as Record<string, unknown>[]).forEach((c, i) => {
    const name = c.name as string | undefined | null;
    if (name === undefined || name === null || name === '') {
      throw new InputError(`${source}: ${where('containerDefinitions', i, 'name')} is missing`);
    }
    if (seen.has(name)) {
      throw new InputError(
        `${source}: ${where('containerDefinitions', i, 'name')} "${escapeControls(name)}" is used by two containers; container names must be unique`,
      );
    }
    seen.add(name);
  });
  const tags = wrapped ? value.tags : undefined;
  if (tags !== undefined && tags !== null) checkShape(tags, TAGS, ['tags'], source);
  return { taskDefinition: td as TaskDefinition, tags: (tags ?? undefined) as Tag[] | undefined };
}

/** True when the task definition has an envoy container. */
export function hasEnvoy(described: DescribedTaskDefinition): boolean {
  return described.taskDefinition.containerDefinitions?.some((c) => c.name === ENVOY_CONTAINER) ?? false;
}

/** The RegisterTaskDefinition input that re-registers a described revision unchanged. */
export function toRegisterInput(described: DescribedTaskDefinition): RegisterTaskDefinitionCommandInput {
  const input: Record<string, unknown> = structuredClone(described.taskDefinition) as Record<string, unknown>;
  for (const field of READ_ONLY_TASK_DEFINITION_FIELDS) delete input[field];
  if (described.tags && described.tags.length > 0) input.tags = structuredClone(described.tags);
  return input as unknown as RegisterTaskDefinitionCommandInput;
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
