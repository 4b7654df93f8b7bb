import { escapeControls } from './escape.js';
/** Small parsers for task definition references: a full ARN, `family:revision`, or a bare family. */

const TASK_DEF_ARN = /^arn:[^:]+:ecs:([^:]*):(\d*):task-definition\/([^:/]+)(?::(\d+))?$/;
const FAMILY_REV = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/;

export interface TaskDefinitionRef {
  family: string;
  revision?: number;
  region?: string;
}

/** Parses an ARN, `family:rev` or `family`; undefined when it is none of these. */
export function parseTaskDefinitionRef(ref: string): TaskDefinitionRef | undefined {
  const arn = TASK_DEF_ARN.exec(ref);
  if (arn) {
    return { family: arn[3]!, revision: arn[4] ? Number(arn[4]) : undefined, region: arn[1] || undefined };
  }
  const short = FAMILY_REV.exec(ref);
  if (short) return { family: short[1]!, revision: short[2] ? Number(short[2]) : undefined };
  return undefined;
}

/** The region part of any ARN, or undefined. */
export function regionOfArn(arn: string | undefined): string | undefined {
  const part = arn?.split(':')[3];
  return part ? part : undefined;
}

/** The last path segment of an ARN (`arn:...:service/cluster/name` gives `name`). */
export function nameOfArn(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** True when two references name the same revision (an ARN and `family:rev` may name one). */
export function sameRevision(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  const ra = parseTaskDefinitionRef(a);
  const rb = parseTaskDefinitionRef(b);
  return !!ra && !!rb && ra.revision !== undefined && ra.family === rb.family && ra.revision === rb.revision;
}

const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * What is wrong with a resource name as ECS takes it (letters, digits, hyphens and underscores, at
 * most 255; with `kind`, that ECS resource's ARN too), named by `flag`; undefined when nothing is.
 */
export function ecsNameProblem(value: string, flag: string, kind?: 'cluster' | 'service'): string | undefined {
  if (kind === undefined ? ECS_NAME.test(value) : isEcsNameOrArn(value, kind)) return undefined;
  const arn = kind === undefined ? '' : `; or an ECS ${kind} ARN`;
  return `${flag}: "${escapeControls(value)}" is not a valid name (letters, digits, - and _, at most 255${arn})`;
}
/** arn:PARTITION:ecs:REGION:ACCOUNT:(cluster|service)/REST */
const ECS_ARN = /^arn:aws(?:-[a-z]+)*:ecs:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:(cluster|service)\/(.+)$/;

/**
 * An ECS cluster or service as the API takes it: a name of letters, digits, `-` and `_` (at most 255),
 * or that resource's ARN (`…:cluster/NAME`; `…:service/NAME` or `…:service/CLUSTER/NAME`). An ARN of
 * another service or resource type (`arn:aws:s3:::bucket`) is neither. Without `kind`, either ARN.
 */
export function isEcsNameOrArn(value: string, kind?: 'cluster' | 'service'): boolean {
  if (ECS_NAME.test(value)) return true;
  const m = ECS_ARN.exec(value);
  if (!m || (kind !== undefined && m[1] !== kind)) return false;
  const parts = m[2]!.split('/');
  return parts.length <= (m[1] === 'cluster' ? 1 : 2) && parts.every((p) => ECS_NAME.test(p));
}
