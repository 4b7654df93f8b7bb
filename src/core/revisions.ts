import type { Deployment } from '@aws-sdk/client-ecs';
import { parseTaskDefinitionRef, sameRevision } from './arn.js';

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
