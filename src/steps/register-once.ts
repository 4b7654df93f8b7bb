import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { pollDelay } from '../core/poll.js';
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
