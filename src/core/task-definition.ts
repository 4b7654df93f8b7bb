import type { TaskDefinition, Tag, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { InputError } from '../errors.js';
import { escapeControls } from './escape.js';
import { jsonKind, isJsonObject, PathPart, jsonPath, checkJsonDepth } from './json.js';

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

export interface DescribedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags?: Tag[];
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

/** A task definition family as RegisterTaskDefinition takes it (API_RegisterTaskDefinition.html, `family`). */
const TASK_DEFINITION_FAMILY = /^[A-Za-z0-9_-]{1,255}$/;

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
  // RegisterTaskDefinition would refuse it: judged here, before any request (a family not a string is checkFields').
  if (typeof td.family === 'string' && !TASK_DEFINITION_FAMILY.test(td.family)) {
    throw new InputError(
      `${source}: ${where('family')} "${escapeControls(td.family)}" is not a family ECS takes (1 to 255 letters, digits, - and _)`,
    );
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

/** The RegisterTaskDefinition input that re-registers a described revision unchanged. */
export function toRegisterInput(described: DescribedTaskDefinition): RegisterTaskDefinitionCommandInput {
  const input: Record<string, unknown> = structuredClone(described.taskDefinition) as Record<string, unknown>;
  for (const field of READ_ONLY_TASK_DEFINITION_FIELDS) delete input[field];
  if (described.tags && described.tags.length > 0) input.tags = structuredClone(described.tags);
  return input as unknown as RegisterTaskDefinitionCommandInput;
}
