import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';

/*
 * Blue/green at a Route 53 record (`--route53 ZONE_ID:NAME=GREEN_VALUE`): the record that fronts blue
 * today (simple, A/AAAA/CNAME, plain or alias) becomes a weighted pair, blue (SetIdentifier "blue",
 * weight 100-N) and green ("green", weight N, green's value); the shift moves the weights; finish and
 * abort leave one plain record again (green's or blue's). Pure: the zone's records in, change batches out.
 * Rules from the Route 53 API reference (ChangeResourceRecordSets, ResourceRecordSet):
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
 * - Weight is 0..255, SetIdentifier 1..128 characters; all records of a weighted set share name and type;
 * - a non-alias record needs TTL and ResourceRecords, an alias record has neither;
 * - a weighted set cannot coexist with a simple record of the same name and type, so going from one to
 *   the other is a single batch (DELETE the one, CREATE the others), which Route 53 applies atomically;
 * - DELETE must repeat the record exactly as it is (we send back what was read).
 */

export const BLUE_ID = 'blue';
export const GREEN_ID = 'green';
/** Route 53's largest weight; meshctl's shift uses percentages (0..100), which fit. */
export const MAX_WEIGHT = 255;
/** The TTL a green non-alias record gets when blue is an alias (which has none); AWS recommends 60 s in a mixed weighted set. */
export const MIXED_SET_TTL = 60;
/** Types meshctl shifts; others (MX, TXT, ...) do not front a service. */
export const SHIFTABLE_TYPES = ['A', 'AAAA', 'CNAME'] as const;
export type ShiftableType = (typeof SHIFTABLE_TYPES)[number];

/** Green's value: resource record values (IPv4 or IPv6 addresses, or one domain name), or an alias target. */
export type GreenValue = { kind: 'values'; values: string[] } | { kind: 'alias'; hostedZoneId: string; dnsName: string };

/** The parsed `--route53` flag. */
export interface Route53Target {
  zoneId: string;
  /** Lowercase, without the trailing dot. */
  name: string;
  green?: GreenValue;
}

/** A hosted zone id: Route 53's are upper-case letters and digits (Z0123456789ABCDEFGHIJ), up to 32; `/hostedzone/` may lead. */
const ZONE_ID = /^(?:\/hostedzone\/)?([A-Z0-9]{1,32})$/;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A DNS name as Route 53 takes it: labels of letters, digits, `-`, `_` (a leading `*` label for a wildcard), at most 253 characters. */
export function isDnsName(value: string): boolean {
  const name = value.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((l, i) => LABEL.test(l) || (i === 0 && l === '*'));
}

export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

/** An IPv6 address in any of its written forms (full, with `::`, or with a dotted IPv4 tail). */
export function isIpv6(value: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(value) || value.split('::').length > 2) return false;
  let v = value;
  let groups = 8;
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (tail) {
    if (!isIpv4(tail[1]!)) return false;
    v = v.slice(0, -tail[1]!.length) + '0';
    groups = 7;
  }
  const [head, rest] = v.split('::') as [string, string | undefined];
  const parts = (s: string) => (s === '' ? [] : s.split(':'));
  const all = [...parts(head), ...(rest === undefined ? [] : parts(rest))];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return rest === undefined ? all.length === groups : all.length < groups;
}

const noDot = (s: string) => s.replace(/\.$/, '');
/** How Route 53 writes names back: lowercase, `*` as `\052`, with the trailing dot; compared without the dot. */
export const sameName = (a: string, b: string) =>
  noDot(a.replace(/\\052/g, '*').toLowerCase()) === noDot(b.replace(/\\052/g, '*').toLowerCase());

/**
 * `ZONE_ID:NAME` or `ZONE_ID:NAME=GREEN_VALUE`, where GREEN_VALUE is comma-separated IPv4 or IPv6
 * addresses, one domain name (for a CNAME), or `alias:HOSTED_ZONE_ID:DNS_NAME`. Returns the target or the problem.
 */
export function parseRoute53Flag(value: string): Route53Target | { problem: string } {
  const colon = value.indexOf(':');
  if (colon < 0) return { problem: `"${value}" is not ZONE_ID:NAME or ZONE_ID:NAME=GREEN_VALUE` };
  const zone = ZONE_ID.exec(value.slice(0, colon));
  if (!zone) return { problem: `"${value.slice(0, colon)}" is not a hosted zone id (upper-case letters and digits, like Z0123456789ABC)` };
  const rest = value.slice(colon + 1);
  const eq = rest.indexOf('=');
  const name = (eq < 0 ? rest : rest.slice(0, eq)).toLowerCase();
  if (!isDnsName(name))
    return { problem: `"${name}" is not a DNS record name (labels of letters, digits, - and _, at most 253 characters)` };
  const target: Route53Target = { zoneId: zone[1]!, name: noDot(name) };
  if (eq < 0) return target;
  const green = parseGreenValue(rest.slice(eq + 1));
  return 'problem' in green ? green : { ...target, green };
}

function parseGreenValue(raw: string): GreenValue | { problem: string } {
  if (raw.startsWith('alias:')) {
    const [zoneId, dnsName, ...more] = raw.slice('alias:'.length).split(':');
    if (more.length || !zoneId || !dnsName || !ZONE_ID.test(zoneId) || !isDnsName(dnsName))
      return { problem: `"${raw}" is not alias:HOSTED_ZONE_ID:DNS_NAME (the alias target's hosted zone, then its DNS name)` };
    return { kind: 'alias', hostedZoneId: ZONE_ID.exec(zoneId)![1]!, dnsName: noDot(dnsName.toLowerCase()) };
  }
  const values = raw.split(',').map((v) => v.trim());
  if (values.length === 0 || values.some((v) => v === ''))
    return { problem: `green's value is empty; give addresses, a domain name or alias:ZONE:NAME after "="` };
  if (values.every(isIpv4) || values.every(isIpv6)) return { kind: 'values', values };
  // A domain name's last label is never all digits (RFC 3696), so 10.0.1.256 is a mistyped address, not a name.
  if (values.length === 1 && isDnsName(values[0]!) && !/(^|\.)\d+\.?$/.test(values[0]!))
    return { kind: 'values', values: [noDot(values[0]!.toLowerCase())] };
  return { problem: `"${raw}" is not IPv4 addresses, IPv6 addresses, one domain name, or alias:HOSTED_ZONE_ID:DNS_NAME` };
}

/** Does green's value fit a record of this type? Returns the problem, or undefined. */
export function greenValueProblem(type: string, green: GreenValue): string | undefined {
  if (green.kind === 'alias') return undefined;
  const fits =
    type === 'A'
      ? green.values.every(isIpv4)
      : type === 'AAAA'
        ? green.values.every(isIpv6)
        : type === 'CNAME' && green.values.length === 1;
  const want = type === 'A' ? 'IPv4 addresses' : type === 'AAAA' ? 'IPv6 addresses' : 'one domain name';
  return fits && !(type === 'CNAME' && (isIpv4(green.values[0]!) || isIpv6(green.values[0]!)))
    ? undefined
    : `the record is ${type}, so green's value must be ${want}, not ${green.values.join(',')}`;
}

/** Where the record stands: missing, one simple record, the blue/green weighted pair, or something meshctl does not touch. */
export type DnsState =
  | { kind: 'missing' }
  | { kind: 'simple'; record: ResourceRecordSet }
  | { kind: 'weighted'; blue: ResourceRecordSet; green: ResourceRecordSet; greenWeight: number }
  | { kind: 'other'; problem: string };

/** The state of `name` among a zone's records (those of other names are ignored). */
export function dnsStateOf(records: readonly ResourceRecordSet[], name: string): DnsState {
  const mine = records.filter((r) => sameName(r.Name ?? '', name) && SHIFTABLE_TYPES.includes(r.Type as ShiftableType));
  if (mine.length === 0) return { kind: 'missing' };
  const types = [...new Set(mine.map((r) => r.Type))];
  if (types.length > 1)
    return { kind: 'other', problem: `${name} has records of several types (${types.join(', ')}); shift one type at a time is not built` };
  const simple = mine.filter((r) => r.SetIdentifier === undefined);
  if (simple.length === 1 && mine.length === 1) return { kind: 'simple', record: simple[0]! };
  const blue = mine.find((r) => r.SetIdentifier === BLUE_ID && r.Weight !== undefined);
  const green = mine.find((r) => r.SetIdentifier === GREEN_ID && r.Weight !== undefined);
  if (blue && green && mine.length === 2) {
    const total = blue.Weight! + green.Weight!;
    return { kind: 'weighted', blue, green, greenWeight: total === 0 ? 0 : Math.round((100 * green.Weight!) / total) };
  }
  const ids = mine.map((r) => r.SetIdentifier ?? '(simple)').join(', ');
  return {
    kind: 'other',
    problem: `${name} is not one simple record nor meshctl's blue/green weighted pair (records: ${ids}); it is left as it is`,
  };
}

/** A copy of a record without the routing-policy fields: what a simple record of the same value has. */
function plainCopy(r: ResourceRecordSet): ResourceRecordSet {
  const { SetIdentifier: _id, Weight: _w, ...rest } = r;
  return rest;
}

/** Green's weighted record beside blue's: blue's name and type, green's value (TTL: blue's, or 60 next to an alias). */
export function greenRecord(blue: ResourceRecordSet, green: GreenValue, weight: number): ResourceRecordSet {
  const base = { Name: blue.Name, Type: blue.Type, SetIdentifier: GREEN_ID, Weight: weight };
  if (green.kind === 'alias')
    return {
      ...base,
      AliasTarget: {
        HostedZoneId: green.hostedZoneId,
        DNSName: green.dnsName,
        EvaluateTargetHealth: blue.AliasTarget?.EvaluateTargetHealth ?? false,
      },
    };
  return { ...base, TTL: blue.TTL ?? MIXED_SET_TTL, ResourceRecords: green.values.map((Value) => ({ Value })) };
}

const checkWeight = (w: number) => {
  if (!Number.isInteger(w) || w < 0 || w > 100) throw new RangeError(`a green weight is 0 to 100 percent, got ${w}`);
};

/**
 * The one batch that turns the simple record into the weighted pair: DELETE it (exactly as read), CREATE
 * blue (its value, weight 100-w) and green (green's value, weight w). DELETE comes first, as a weighted set
 * may not sit beside a simple record of the same name and type.
 */
export function planSplit(simple: ResourceRecordSet, green: GreenValue, weight = 0): Change[] {
  checkWeight(weight);
  const problem = greenValueProblem(simple.Type ?? '', green);
  if (problem) throw new RangeError(problem);
  return [
    { Action: 'DELETE', ResourceRecordSet: simple },
    { Action: 'CREATE', ResourceRecordSet: { ...plainCopy(simple), SetIdentifier: BLUE_ID, Weight: 100 - weight } },
    { Action: 'CREATE', ResourceRecordSet: greenRecord(simple, green, weight) },
  ];
}

/** A shift: both weights UPSERTed in one batch, blue 100-w and green w. */
export function planWeights(blue: ResourceRecordSet, green: ResourceRecordSet, weight: number): Change[] {
  checkWeight(weight);
  return [
    { Action: 'UPSERT', ResourceRecordSet: { ...blue, Weight: 100 - weight } },
    { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: weight } },
  ];
}

/**
 * Finish (to green) or abort (to blue): DELETE both weighted records as read, then the chosen one's value
 * as a plain record. That last change is an UPSERT, which after the two DELETEs of the same batch creates
 * the record just as CREATE would; moto 5.2.1 refuses a CREATE identical to an earlier one of the zone
 * (abort's restored record is exactly the one first created) while records of that name exist before the batch.
 */
export function planMerge(blue: ResourceRecordSet, green: ResourceRecordSet, to: 'blue' | 'green'): Change[] {
  return [
    { Action: 'DELETE', ResourceRecordSet: blue },
    { Action: 'DELETE', ResourceRecordSet: green },
    { Action: 'UPSERT', ResourceRecordSet: plainCopy(to === 'blue' ? blue : green) },
  ];
}

/** A record's value in one line: `A 10.0.1.5,10.0.1.6`, `CNAME x.local`, `A alias internal-lb....`. */
export function describeRecord(r: ResourceRecordSet): string {
  const value = r.AliasTarget?.DNSName ? `alias ${noDot(r.AliasTarget.DNSName)}` : (r.ResourceRecords ?? []).map((v) => v.Value).join(',');
  return `${r.Type} ${value}${r.SetIdentifier !== undefined ? ` (${r.SetIdentifier}, weight ${r.Weight})` : ''}`;
}
