import type { Deployment, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { parseTaskDefinitionRef, sameRevision } from './arn.js';
import { diffJson } from './json-diff.js';
import { toRegisterInput, type DescribedTaskDefinition } from './task-definition.js';

/**
 * The revision a service ran before its current one: an older deployment still listed, else the
 * highest ACTIVE revision of the family below the current one. Undefined when there is none.
 */
export function previousRevision(
  current: string,
  deployments: readonly Deployment[],
  familyRevisions: readonly string[],
): string | undefined {
  const older = deployments.find((d) => d.status !== 'PRIMARY' && d.taskDefinition && !sameRevision(d.taskDefinition, current));
  if (older?.taskDefinition) return older.taskDefinition;
  const cur = parseTaskDefinitionRef(current);
  if (cur?.revision === undefined) return undefined;
  let best: { arn: string; revision: number } | undefined;
  for (const arn of familyRevisions) {
    const ref = parseTaskDefinitionRef(arn);
    if (ref?.family !== cur.family || ref.revision === undefined || ref.revision >= cur.revision) continue;
    if (!best || ref.revision > best.revision) best = { arn, revision: ref.revision };
  }
  return best?.arn;
}

/** `--to 3`, `--to family:3` or `--to ARN`, read against the current revision's family. */
export function revisionFromFlag(to: string, current: string): string | undefined {
  if (/^\d+$/.test(to)) {
    const family = parseTaskDefinitionRef(current)?.family;
    return family ? `${family}:${to}` : undefined;
  }
  return parseTaskDefinitionRef(to) ? to : undefined;
}

/**
 * Values ECS fills in on a revision it registers when the input leaves them out: empty lists and
 * objects, a host port, `tcp`, `essential: true`, `cpu: 0`. A described revision that has only these
 * beyond the input is what that input registers; anything else (a container, proxyConfiguration, an
 * environment entry) is a different revision.
 */
function filledInByEcs(path: string, value: unknown): boolean {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return true;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0) return true;
  const key = path
    .split('.')
    .pop()!
    .replace(/\[\d+\]$/, '');
  return (
    (key === 'hostPort' && typeof value === 'number') ||
    (key === 'protocol' && value === 'tcp') ||
    (key === 'essential' && value === true) ||
    (key === 'cpu' && value === 0)
  );
}

/** Is the described revision what `input` would register (the same, up to what ECS fills in)? */
export function sameRegistration(described: DescribedTaskDefinition, input: RegisterTaskDefinitionCommandInput): boolean {
  return diffJson(toRegisterInput(described), input).every((c) => c.op === 'remove' && filledInByEcs(c.path, c.value));
}
