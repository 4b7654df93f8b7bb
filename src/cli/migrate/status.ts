import type { Command } from 'commander';
import type { Deps } from '../../runtime/context.js';
import { addPairFlags } from './flags.js';
import { choosePairs, pairData, statusLines } from './pairs.js';

export function registerStatus(migrate: Command, deps: Deps): void {
  addPairFlags(migrate.command('status'))
    .description('each blue/green pair: blue only, green starting, shifting N%, green only, or finished')
    .addHelpText(
      'after',
      `
Examples:
  meshctl migrate status --all-services
  meshctl migrate status --service crystal-service-lb --json`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const { cluster, read } = await choosePairs(cmd, deps);
      deps.ui.result({ data: { ok: true, cluster, services: read.map(pairData) }, lines: statusLines(cluster, read) });
    });
}
