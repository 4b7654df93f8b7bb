import { AwsCallError } from '../errors.js';
import type { Context } from '../runtime/context.js';

/** Poll options that skip a poll AWS failed transiently (after the SDK's own retries), saying so. */
export function transientPolls(ctx: Context) {
  return {
    isTransient: (err: unknown) => err instanceof AwsCallError && err.retryable,
    onTransient: (err: unknown, inARow: number) =>
      ctx.ui.warn(`a poll failed (${(err as AwsCallError).errorName}, ${inARow} in a row); polling on`),
  };
}
