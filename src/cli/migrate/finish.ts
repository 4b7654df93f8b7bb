import type { Command } from 'commander';
import type { Deps } from '../../runtime/context.js';
import { finishPlan, runFinish } from '../../steps/blue-green-end.js';
import { registerEnding } from './pairs.js';

const HELP = `
Examples:
  meshctl migrate finish --service crystal-service-lb
  meshctl migrate finish --all-services --yes
  meshctl migrate finish --service inventory --route53 Z0123456789ABC:inventory.shop.internal --yes

With --route53, blue is deleted first (its weight is 0), then the weighted records become one plain record
with green's value; a finish stopped between the two does the rest when run again.
Refused unless green has 100% (or, without a load balancer or record, runs beside blue).`;

export function registerFinish(migrate: Command, deps: Deps): void {
  registerEnding(
    migrate.command('finish'),
    deps,
    'finish',
    finishPlan,
    runFinish,
    "after green has all the traffic: forward to green alone (or leave a plain record with green's value), scale blue to 0 and delete it",
    HELP,
  );
}
