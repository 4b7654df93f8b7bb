import type { Command } from 'commander';
import type { Deps } from '../../runtime/context.js';
import { registerAbort } from './abort.js';
import { registerApply } from './apply.js';
import { registerCleanup } from './cleanup.js';
import { registerFinish } from './finish.js';
import { registerPlan } from './plan.js';
import { registerStatus } from './status.js';
import { registerVerify } from './verify.js';

/** meshctl migrate: one file per subcommand, registered in the order --help lists them. */
export function registerMigrate(program: Command, deps: Deps): void {
  const migrate = program
    .command('migrate')
    .description(
      'move services, or the whole cluster, from App Mesh to ECS Service Connect: planned, in dependency order, without the App Mesh API',
    );
  registerPlan(migrate, deps);
  registerApply(migrate, deps);
  registerVerify(migrate, deps);
  registerStatus(migrate, deps);
  registerAbort(migrate, deps);
  registerFinish(migrate, deps);
  registerCleanup(migrate, deps);
}
