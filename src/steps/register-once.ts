import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { parseTaskDefinitionRef } from '../core/arn.js';
import { pollDelay } from '../core/poll.js';
import { sameRegistration } from '../core/revisions.js';
import type { DescribedTaskDefinition } from '../core/task-definition.js';
import { AwsCallError } from '../errors.js';
import type { Context } from '../runtime/context.js';

export const REGISTER_ATTEMPTS = 5;

/**
 * RegisterTaskDefinition is not idempotent: when an answer is lost (a reset, a 5xx after the write),
 * trying again blindly registers a second revision. Before each new attempt this reads the family's
 * latest revision; if `landed` says it already is what was asked for, the lost call landed and its ARN
 * is the result.
 */
export async function registerOnce(
  ctx: Context,
  input: RegisterTaskDefinitionCommandInput,
  landed: (latest: DescribedTaskDefinition) => boolean,
): Promise<string> {
  const ecs = await ctx.aws.ecs();
  for (let attempt = 1; ; attempt++) {
    try {
      return (await ecs.registerTaskDefinition(input)).taskDefinitionArn;
    } catch (err) {
      if (!(err instanceof AwsCallError) || !err.retryable || attempt >= REGISTER_ATTEMPTS) throw err;
      ctx.ui.verbose(
        `RegisterTaskDefinition attempt ${attempt} failed (${err.errorName}); checking whether it registered before trying again`,
      );
      await ctx.clock.sleep(pollDelay(attempt - 1, 8000, ctx.clock.random()), ctx.signal);
      const latest = await ecs.describeTaskDefinition(input.family!);
      if (landed(latest)) return latest.taskDefinition.taskDefinitionArn!;
    }
  }
}

/**
 * The envoy-free revision a migration runs, registered at most once: the family's latest ACTIVE
 * revision when it already is `input` (an apply after an abort, or after another apply), else a new
 * one. RegisterTaskDefinition has no idempotency token, so two applies at once can both register:
 * each then reads the family's ACTIVE revisions between the latest it saw and its own, and when an
 * earlier one is the same, deregisters its own (which nothing runs yet) and takes the earlier one.
 * Revision numbers only grow, so the earliest of the race is kept by everyone.
 */
export async function registerOrReuse(
  ctx: Context,
  input: RegisterTaskDefinitionCommandInput,
): Promise<{ arn: string; how: 'registered' | 'reused' | 'raced'; dropped?: string }> {
  const ecs = await ctx.aws.ecs();
  const family = input.family!;
  const latest = await ecs.describeTaskDefinitionIfExists(family);
  if (latest && sameRegistration(latest, input)) return { arn: latest.taskDefinition.taskDefinitionArn!, how: 'reused' };
  ctx.checkpoint();
  const arn = await registerOnce(ctx, input, (d) => sameRegistration(d, input));
  const mine = parseTaskDefinitionRef(arn)?.revision;
  const since = latest?.taskDefinition.revision ?? 0;
  if (mine === undefined) return { arn, how: 'registered' };
  const between = (await ecs.listTaskDefinitions(family))
    .map((a) => ({ a, ref: parseTaskDefinitionRef(a) }))
    .filter(({ ref }) => ref?.family === family && ref.revision !== undefined && ref.revision > since && ref.revision < mine)
    .sort((x, y) => x.ref!.revision! - y.ref!.revision!);
  for (const { a } of between) {
    const other = await ecs.describeTaskDefinitionIfExists(a);
    if (!other || !sameRegistration(other, input)) continue;
    ctx.ui.verbose(`${a} registered the same revision at the same time; deregistering ${arn}, which this run registered, and using ${a}`);
    await ecs.deregisterTaskDefinition(arn);
    return { arn: other.taskDefinition.taskDefinitionArn ?? a, how: 'raced', dropped: arn };
  }
  return { arn, how: 'registered' };
}
