import type { Command } from 'commander';
import type { Deps } from '../../runtime/context.js';
import { abortPlan, runAbort } from '../../steps/blue-green-end.js';
import { registerEnding } from './pairs.js';

const HELP = `
Examples:
  meshctl migrate abort --service crystal-service-lb
  meshctl migrate abort --all-services --yes --json
  meshctl migrate abort --service inventory --route53 Z0123456789ABC:inventory.shop.internal --yes

With --route53, the weighted blue and green records become one plain record with blue's value again (one batch).
Refused when there is no green, or when blue is already gone.`;

export function registerAbort(migrate: Command, deps: Deps): void {
  registerEnding(
    migrate.command('abort'),
    deps,
    'abort',
    abortPlan,
    runAbort,
    'shift all traffic back to blue and remove green (its service, target group, weighted records)',
    HELP,
  );
}
