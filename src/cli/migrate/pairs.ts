import type { Command } from 'commander';
import { nameOfArn } from '../../core/arn.js';
import { mapLimit } from '../../core/concurrency.js';
import { greenNameOf } from '../../core/migrate/blue-green.js';
import { UsageError } from '../../errors.js';
import type { Deps } from '../../runtime/context.js';
import type { abortPlan, runAbort } from '../../steps/blue-green-end.js';
import { blueGreenPairs, readPair, type PairStatus } from '../../steps/blue-green-pair.js';
import { DEFAULT_SERVICE, resolveServiceTarget, servicesMissing } from '../../steps/service.js';
import { checkAll, contextOf, distinctServices, targetFlags } from '../options/common.js';
import { addPairFlags, greenNameFlag, route53Flag, type MigrateFlags } from './flags.js';

/** The pairs status, abort and finish act on: the flags checked, then blue and green read. */
export async function choosePairs(cmd: Command, deps: Deps) {
  const flags = cmd.optsWithGlobals<MigrateFlags>();
  const selected = distinctServices(flags.service, (m) => deps.ui.warn(m)) ?? [];
  const [ctx, , , , route53] = checkAll(
    () => contextOf(cmd, deps),
    () => targetFlags(flags),
    () => {
      if (flags.allServices && selected.length) throw new UsageError('--all-services and --service both choose the services; pass one');
    },
    () => flags.greenName !== undefined && greenNameFlag(flags.greenName, selected),
    () => route53Flag(flags),
  );
  const { cluster } = await resolveServiceTarget(ctx, { cluster: flags.cluster });
  // By name: a service's ARN names it as well.
  const pairs = flags.allServices
    ? await blueGreenPairs(ctx, cluster)
    : (selected.length ? selected : [DEFAULT_SERVICE])
        .map((s) => (s.startsWith('arn:') ? nameOfArn(s) : s))
        .map((blue) => ({ blue, green: greenNameOf(blue, flags.greenName) }));
  const read = await mapLimit(pairs, 4, (p) => readPair(ctx, cluster, p.blue, p.green, route53));
  // Neither blue nor its green: nothing the user named is there (exit 3), not a pair that is "blue only".
  const gone = read.filter((p) => !p.blue && !p.greenService).map((p) => p.service);
  if (gone.length) throw servicesMissing(cluster, gone, !flags.allServices && selected.length === 0);
  return { flags, ctx, cluster, read, route53 };
}

function statusLine(p: PairStatus): string {
  const weight = p.weight !== undefined ? ` (green ${p.weight}%)` : '';
  const running = p.greenDesired ? `, green ${p.greenRunning}/${p.greenDesired} running` : '';
  return `${p.service} → ${p.green}: ${p.state}${weight}${running}${p.record ? `; record ${p.record}` : ''}`;
}

// --all-services in a cluster without a pair says so: an empty output would look like success on something.
export const statusLines = (cluster: string, pairs: PairStatus[]) =>
  pairs.length ? pairs.map(statusLine) : [`no blue/green pairs in cluster ${cluster}: no service has a green beside it`];

export const pairData = (p: PairStatus) => ({
  service: p.service,
  green: p.green,
  state: p.state,
  weight: p.weight ?? null,
  greenRunning: p.greenRunning ?? null,
  greenDesired: p.greenDesired ?? null,
  record: p.record ?? null,
});

/** abort and finish: each pair's plan shown, confirmed (or --yes), run, and the pairs read again. */
export function registerEnding(
  cmd: Command,
  deps: Deps,
  name: 'abort' | 'finish',
  plan: typeof abortPlan,
  run: typeof runAbort,
  description: string,
  help: string,
): void {
  addPairFlags(cmd)
    .description(description)
    .option('--yes', 'do it without asking (needed without a terminal)')
    .addHelpText('after', help)
    .action(async (_local: unknown, cmd: Command) => {
      const { flags, ctx, cluster, read, route53 } = await choosePairs(cmd, deps);
      const plans = read.map((p) => plan(p));
      if (plans.length === 0)
        return deps.ui.result({ data: { ok: true, cluster, done: [], services: [] }, lines: statusLines(cluster, []) });
      const shown = plans.flatMap((p) => [`${p.service}:`, ...p.actions.map((a) => `  - ${a}`)]);
      if (!flags.yes) {
        if (!deps.confirm)
          throw new UsageError(
            `migrate ${name} changes and deletes what it lists; pass --yes to do it without a terminal:\n${shown.join('\n')}`,
          );
        if (!(await deps.confirm(`${shown.join('\n')}\nType yes to ${name}: `))) throw new UsageError(`not confirmed; nothing was changed`);
      }
      deps.ui.info(shown.join('\n'));
      await run(ctx, cluster, read);
      const after = await mapLimit(read, 4, (p) => readPair(ctx, cluster, p.service, p.green, route53));
      deps.ui.result({ data: { ok: true, cluster, done: plans, services: after.map(pairData) }, lines: statusLines(cluster, after) });
    });
}
