import type { Change } from '@aws-sdk/client-route-53';
import {
  describeRecord,
  dnsStateOf,
  greenValueProblem,
  planMerge,
  planSplit,
  planWeights,
  type DnsState,
  type Route53Target,
} from '../core/migrate/dns-weights.js';
import { pollUntil } from '../core/poll.js';
import { UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';

/** A Route 53 record in front of a blue/green pair (`--route53`), and where it stands. */
export interface DnsEdge {
  target: Route53Target;
  state: DnsState;
}

/** How long a change batch may stay PENDING before meshctl gives up waiting (Route 53 documents about 60 s). */
export const DNS_SYNC_TIMEOUT_MS = 5 * 60_000;

/** Reads the record's records (every type and set identifier of the name) and judges them. */
export async function readDnsEdge(ctx: Context, target: Route53Target): Promise<DnsEdge> {
  const records = await (await ctx.aws.route53()).listRecordSetsNamed(target.zoneId, target.name);
  return { target, state: dnsStateOf(records, target.name) };
}

/** Green's weight at the record: the weighted pair's, 0 while the record is still simple, undefined otherwise. */
export function dnsWeight(edge: DnsEdge | undefined): number | undefined {
  if (!edge) return undefined;
  return edge.state.kind === 'weighted' ? edge.state.greenWeight : edge.state.kind === 'simple' ? 0 : undefined;
}

/**
 * What apply needs of the record before it changes anything: it exists as one simple record (and green's
 * value fits its type) or as meshctl's weighted pair. A usage error (exit 2) names what is wrong.
 */
export function dnsProblem(edge: DnsEdge): string | undefined {
  const { target, state } = edge;
  const where = `--route53 ${target.zoneId}:${target.name}`;
  if (state.kind === 'missing') return `${where}: the zone has no A, AAAA or CNAME record ${target.name}`;
  if (state.kind === 'other') return `${where}: ${state.problem}`;
  if (state.kind === 'simple') {
    if (!target.green)
      return `${where}: the record is still a simple one (${describeRecord(state.record)}); give green's value: --route53 ${target.zoneId}:${target.name}=GREEN_VALUE`;
    const problem = greenValueProblem(state.record.Type ?? '', target.green);
    if (problem) return `${where}: ${problem}`;
  }
  return undefined;
}

/** Sends one batch and waits until Route 53 has it everywhere (INSYNC); returns the edge read back. */
async function changeDns(ctx: Context, edge: DnsEdge, changes: Change[], comment: string): Promise<DnsEdge> {
  ctx.checkpoint();
  const r53 = await ctx.aws.route53();
  const id = await r53.changeResourceRecordSets(edge.target.zoneId, changes, comment);
  await pollUntil(
    async () => ((await r53.getChange(id)) === 'INSYNC' ? true : undefined),
    {
      timeoutMs: DNS_SYNC_TIMEOUT_MS,
      intervalMs: 5_000,
      signal: ctx.signal,
      timeoutMessage: (ms) => `Route 53 change ${id} for ${edge.target.name} was still PENDING after ${Math.round(ms / 1000)}s`,
    },
    ctx.clock,
  );
  return readDnsEdge(ctx, edge.target);
}

/** The simple record becomes the weighted pair (blue 100, green 0), in one batch. */
export async function splitRecord(ctx: Context, edge: DnsEdge): Promise<DnsEdge> {
  if (edge.state.kind !== 'simple') return edge;
  const problem = dnsProblem(edge);
  if (problem) throw new UsageError(problem);
  return changeDns(
    ctx,
    edge,
    planSplit(edge.state.record, edge.target.green!, 0),
    'meshctl blue/green: weighted records blue 100, green 0',
  );
}

/** Green gets `weight` percent at the record, blue the rest (both weights in one batch). */
export async function shiftRecord(ctx: Context, edge: DnsEdge, weight: number): Promise<DnsEdge> {
  if (edge.state.kind !== 'weighted') throw new UsageError(`${edge.target.name} is not meshctl's weighted pair; nothing to shift`);
  return changeDns(ctx, edge, planWeights(edge.state.blue, edge.state.green, weight), `meshctl blue/green: green ${weight}%`);
}

/** Finish (green) or abort (blue): one plain record with that side's value in place of the pair. */
export async function mergeRecord(ctx: Context, edge: DnsEdge, to: 'blue' | 'green'): Promise<DnsEdge> {
  if (edge.state.kind !== 'weighted') return edge;
  return changeDns(ctx, edge, planMerge(edge.state.blue, edge.state.green, to), `meshctl blue/green: plain record, ${to}'s value`);
}

/** One line on the record for plans and status: `inventory.shop.internal: blue A 10.0.1.10 (weight 100), green …`. */
export function dnsLine(edge: DnsEdge): string {
  const s = edge.state;
  if (s.kind === 'weighted') return `${edge.target.name}: ${describeRecord(s.blue)}, ${describeRecord(s.green)}`;
  if (s.kind === 'simple') return `${edge.target.name}: ${describeRecord(s.record)}`;
  return s.kind === 'missing' ? `${edge.target.name}: no record` : `${edge.target.name}: ${s.problem}`;
}
