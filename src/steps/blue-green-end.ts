import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { plainForward, type Pair } from '../core/migrate/blue-green.js';
import { describeRecord } from '../core/migrate/dns-weights.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { checkTargetGroupMark, rewriteEdge, type Edge } from './blue-green-edge.js';
import { greenRunning, greenServiceOf, type PairFacts } from './blue-green-pair.js';
import { onBoard } from './board.js';
import { mergeRecord } from './dns-edge.js';

// The end of a blue/green move: abort (back to blue, green removed) or finish (green alone, blue removed).

/** Plans of what abort and finish do, shown before they are done. */
export interface EndPlan {
  service: string;
  green: string;
  actions: string[];
}

/** What `migrate abort` does for the pair, or why it does not apply. */
export function abortPlan(p: PairFacts): EndPlan {
  if (p.state === 'blue-only') throw new UsageError(`${p.service}: there is no green service ${p.green}; nothing to abort`);
  if (p.state === 'finished') throw new UsageError(`${p.service}: blue is gone (finished); abort no longer applies`);
  const dns = p.dns?.state;
  const actions = [
    ...(p.edge?.greenTargetGroupArn
      ? [`forward ${p.edge.forwards.length} listener(s) or rule(s) to blue ${p.edge.blueTargetGroup.TargetGroupName} alone`]
      : []),
    ...(dns?.kind === 'weighted'
      ? [
          `replace the weighted records of ${p.dns!.target.name} by one plain record with blue's value (${describeRecord(plainOf(dns.blue))})`,
        ]
      : []),
    `delete service ${p.green}`,
    ...(p.edge?.greenTargetGroupArn ? [`delete target group ${p.edge.greenTargetGroupArn}`] : []),
  ];
  return { service: p.service, green: p.green, actions };
}

/** What `migrate finish` does for the pair, or why it does not apply. */
export function finishPlan(p: PairFacts): EndPlan {
  const dns = p.dns?.state;
  // Finish deletes blue before it merges the records (blue has weight 0 by then): a finish stopped between
  // the two finds blue gone and the pair still there, and does the rest.
  if (p.state === 'finished' && dns?.kind === 'weighted' && dns.greenWeight === 100)
    return { service: p.service, green: p.green, actions: [mergeAction(p.dns!.target.name, dns.green)] };
  if (p.state !== 'green-only') {
    throw new UsageError(
      `${p.service}: finish needs green to have all the traffic; it is ${p.state}${p.weight !== undefined ? ` (green ${p.weight}%)` : ''}`,
    );
  }
  const actions = [
    ...(p.edge?.greenTargetGroupArn ? [`forward ${p.edge.forwards.length} listener(s) or rule(s) to green alone`] : []),
    `scale ${p.service} to 0 and delete it`,
    ...(dns?.kind === 'weighted' ? [mergeAction(p.dns!.target.name, dns.green)] : []),
  ];
  return { service: p.service, green: p.green, actions };
}

const plainOf = (r: ResourceRecordSet): ResourceRecordSet => ({ ...r, SetIdentifier: undefined, Weight: undefined });
const mergeAction = (name: string, green: ResourceRecordSet) =>
  `replace the weighted records of ${name} by one plain record with green's value (${describeRecord(plainOf(green))})`;

/**
 * Each pair's abort or finish, one after another, on one board: a line per pair, which says each change
 * as it is made. The first pair that fails stops the rest (marked not started), and its error is thrown.
 */
async function endEach(
  ctx: Context,
  pairs: readonly PairFacts[],
  name: 'abort' | 'finish',
  one: (ctx: Context, p: PairFacts, did: (change: string) => void) => Promise<string>,
): Promise<void> {
  await onBoard(
    ctx,
    pairs.map((p) => p.service),
    async (lineOf, board) => {
      for (const [i, p] of pairs.entries()) {
        const line = lineOf(p.service);
        line.ui.step(name, 'start');
        try {
          line.ui.step(name, 'ok', await one(line, p, (change) => line.ui.step(name, 'start', change)));
        } catch (err) {
          line.ui.step(name, 'fail', (err as Error).message.split('\n')[0]);
          for (const rest of pairs.slice(i + 1)) board.set(rest.service, `– not started (${name} stopped at ${p.service})`);
          throw err;
        }
      }
    },
  );
}

const forwards = (edge: Edge) => `${edge.forwards.length} listener(s) or rule(s)`;

/** Carries out an abort of each pair: traffic back to blue (listeners, or one plain record with blue's value), green and its target group removed. */
export async function runAbort(ctx: Context, cluster: string, pairs: readonly PairFacts[]): Promise<void> {
  await endEach(ctx, pairs, 'abort', async (ctx, p, did) => {
    const ecs = await ctx.aws.ecs();
    if (p.dns) {
      await mergeRecord(ctx, p.dns, 'blue');
      if (p.dns.state.kind === 'weighted') did(`${p.dns.target.name}: one plain record with blue's value`);
    }
    const edge = p.edge;
    if (edge?.greenTargetGroupArn) {
      const blueArn = edge.blueTargetGroup.TargetGroupArn!;
      await rewriteEdge(ctx, edge, (a) => plainForward(a, blueArn, edge.greenTargetGroupArn!, blueArn));
      did(`forward to blue alone at ${forwards(edge)}`);
    }
    // The marks are read again right before each delete (time passes at the prompt): only meshctl's green
    // of this pair, and its target group, are ever deleted.
    if (p.greenService && p.green !== p.service) {
      ctx.checkpoint();
      if (await greenServiceOf(ctx, p.pair)) {
        await ecs.setDesiredCount(cluster, p.green, 0);
        await ecs.deleteService(cluster, p.green);
        did(`deleted service ${p.green}`);
      }
    }
    if (edge?.greenTargetGroupArn && edge.greenTargetGroupArn !== edge.blueTargetGroup.TargetGroupArn) {
      ctx.checkpoint();
      const elb = await ctx.aws.elbv2();
      const [tg] = await elb.describeTargetGroupsFull([edge.greenTargetGroupArn]);
      if (tg) {
        await checkTargetGroupMark(ctx, tg, p.pair);
        await elb.deleteTargetGroup(edge.greenTargetGroupArn);
        did(`deleted target group ${tg.TargetGroupName}`);
      }
    }
    return `back on blue; green ${p.green} removed`;
  });
}

/** Carries out a finish of each pair: green alone at the edge, blue scaled to 0 and deleted; then one plain record with green's value. */
export async function runFinish(ctx: Context, cluster: string, pairs: readonly PairFacts[]): Promise<void> {
  await endEach(ctx, pairs, 'finish', async (ctx, p, did) => {
    const ecs = await ctx.aws.ecs();
    const edge = p.edge;
    if (p.blue) await checkGreenReady(ctx, p.pair);
    if (edge?.greenTargetGroupArn) {
      const green = edge.greenTargetGroupArn;
      await rewriteEdge(ctx, edge, (a) => plainForward(a, edge.blueTargetGroup.TargetGroupArn!, green, green));
      did(`forward to green alone at ${forwards(edge)}`);
    }
    if (p.blue) {
      ctx.checkpoint();
      await checkGreenReady(ctx, p.pair);
      await ecs.setDesiredCount(cluster, p.service, 0);
      await ecs.deleteService(cluster, p.service);
      did(`scaled ${p.service} to 0 and deleted it`);
    }
    if (p.dns) {
      await mergeRecord(ctx, p.dns, 'green');
      if (p.dns.state.kind === 'weighted') did(`${p.dns.target.name}: one plain record with green's value`);
    }
    return `green ${p.green} took ${p.service}'s place`;
  });
}

/** Before blue goes: green is meshctl's green of blue, ACTIVE, and runs its revision's tasks (CheckFailedError otherwise). */
async function checkGreenReady(ctx: Context, pair: Pair): Promise<void> {
  if (pair.green === pair.blue) throw new CheckFailedError(`green ${pair.green} is blue itself; blue is not deleted`);
  const green = await greenServiceOf(ctx, pair);
  const running = green ? await greenRunning(ctx, pair.cluster, green) : 0;
  const wanted = Math.max(1, green?.desiredCount ?? 0);
  if (!green || running < wanted)
    throw new CheckFailedError(
      `green ${pair.green} ${green ? `runs ${running} of ${wanted} tasks` : 'does not exist'}; blue ${pair.blue} is not deleted while green cannot take its place`,
    );
}
