import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import {
  BLUE_ID,
  describeRecord,
  dnsStateOf,
  GREEN_ID,
  greenValueProblem,
  isDnsName,
  isIpv6,
  MAX_WEIGHT,
  parseRoute53Flag,
  planMerge,
  planSplit,
  planWeights,
  sameName,
} from '../../../src/core/migrate/dns-weights.js';

const NAME = 'inventory.shop.internal.';
const simpleA: ResourceRecordSet = { Name: NAME, Type: 'A', TTL: 300, ResourceRecords: [{ Value: '10.0.1.10' }] };
const aliasA: ResourceRecordSet = {
  Name: NAME,
  Type: 'A',
  AliasTarget: { HostedZoneId: 'Z1H1FL5HABSF5', DNSName: 'internal-blue-1.us-west-2.elb.amazonaws.com.', EvaluateTargetHealth: true },
};
const cname: ResourceRecordSet = { Name: NAME, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'inventory.local' }] };
const weighted = (id: string, weight: number, value: string): ResourceRecordSet => ({
  Name: NAME,
  Type: 'A',
  TTL: 300,
  SetIdentifier: id,
  Weight: weight,
  ResourceRecords: [{ Value: value }],
});

describe('--route53 ZONE_ID:NAME=GREEN_VALUE', () => {
  it.each([
    ['Z0123456789ABC:inventory.shop.internal', { zoneId: 'Z0123456789ABC', name: 'inventory.shop.internal' }],
    ['/hostedzone/Z0123:Inventory.Shop.Internal.', { zoneId: 'Z0123', name: 'inventory.shop.internal' }],
    [
      'Z0123:inventory.shop.internal=10.0.1.20,10.0.1.21',
      { zoneId: 'Z0123', name: 'inventory.shop.internal', green: { kind: 'values', values: ['10.0.1.20', '10.0.1.21'] } },
    ],
    ['Z0123:a.shop.internal=fd00::20', { zoneId: 'Z0123', name: 'a.shop.internal', green: { kind: 'values', values: ['fd00::20'] } }],
    [
      'Z0123:a.shop.internal=Green.Shop.Internal.',
      { zoneId: 'Z0123', name: 'a.shop.internal', green: { kind: 'values', values: ['green.shop.internal'] } },
    ],
    [
      'Z0123:a.shop.internal=alias:Z1H1FL5HABSF5:internal-green-1.us-west-2.elb.amazonaws.com',
      {
        zoneId: 'Z0123',
        name: 'a.shop.internal',
        green: { kind: 'alias', hostedZoneId: 'Z1H1FL5HABSF5', dnsName: 'internal-green-1.us-west-2.elb.amazonaws.com' },
      },
    ],
    ['Z0123:*.shop.internal=10.0.0.1', { zoneId: 'Z0123', name: '*.shop.internal', green: { kind: 'values', values: ['10.0.0.1'] } }],
  ])('reads %s', (flag, want) => {
    expect(parseRoute53Flag(flag)).toEqual(want);
  });

  it.each([
    ['inventory.shop.internal', /is not ZONE_ID:NAME/],
    ['z0123:inventory.shop.internal', /"z0123" is not a hosted zone id/],
    ['Z-123:inventory.shop.internal', /is not a hosted zone id/],
    [`Z${'A'.repeat(32)}:inventory.shop.internal`, /is not a hosted zone id/],
    ['Z0123:', /"" is not a DNS record name/],
    ['Z0123:inv entory.shop.internal', /is not a DNS record name/],
    ['Z0123:-inventory.shop.internal', /is not a DNS record name/],
    [`Z0123:${'a'.repeat(64)}.shop.internal`, /is not a DNS record name/],
    ['Z0123:a..shop.internal', /is not a DNS record name/],
    ['Z0123:a.shop.internal=', /green's value is empty/],
    ['Z0123:a.shop.internal=10.0.1.20,', /green's value is empty/],
    ['Z0123:a.shop.internal=10.0.1.256', /is not IPv4 addresses/],
    ['Z0123:a.shop.internal=10.0.1.20,fd00::1', /is not IPv4 addresses/],
    ['Z0123:a.shop.internal=a.local,b.local', /is not IPv4 addresses/],
    ['Z0123:a.shop.internal=$(reboot)', /is not IPv4 addresses/],
    ['Z0123:a.shop.internal=alias:Z1H1FL5HABSF5', /is not alias:HOSTED_ZONE_ID:DNS_NAME/],
    ['Z0123:a.shop.internal=alias:bad:x.example.com', /is not alias:HOSTED_ZONE_ID:DNS_NAME/],
  ])('refuses %s', (flag, problem) => {
    const got = parseRoute53Flag(flag);
    expect(got).toHaveProperty('problem');
    expect((got as { problem: string }).problem).toMatch(problem);
  });

  it('takes IPv6 in its written forms and no more', () => {
    expect(['::1', 'fd00::', '2001:db8:0:0:0:0:0:1', '::ffff:10.0.0.1', '2001:db8::1'].every(isIpv6)).toBe(true);
    expect(['1:2:3:4:5:6:7:8:9', '2001:db8::1::2', 'fd00::g', '1:2:3:4:5:6:7', ':::'].some(isIpv6)).toBe(false);
  });

  it('knows a DNS name of at most 253 characters', () => {
    const long = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.');
    expect(isDnsName(long.slice(0, 253))).toBe(true);
    expect(isDnsName(`${long}a`)).toBe(false);
  });

  it("checks green's value against the record type", () => {
    const values = (...v: string[]) => ({ kind: 'values' as const, values: v });
    expect(greenValueProblem('A', values('10.0.1.20'))).toBeUndefined();
    expect(greenValueProblem('A', values('fd00::1'))).toMatch(/must be IPv4 addresses/);
    expect(greenValueProblem('AAAA', values('fd00::1'))).toBeUndefined();
    expect(greenValueProblem('AAAA', values('10.0.0.1'))).toMatch(/must be IPv6 addresses/);
    expect(greenValueProblem('CNAME', values('green.local'))).toBeUndefined();
    expect(greenValueProblem('CNAME', values('10.0.0.1'))).toMatch(/must be one domain name/);
    expect(greenValueProblem('A', values('green.local'))).toMatch(/must be IPv4 addresses, not green.local/);
    expect(greenValueProblem('CNAME', { kind: 'alias', hostedZoneId: 'Z1', dnsName: 'x.local' })).toBeUndefined();
  });
});

describe('where the record stands', () => {
  it.each<[string, ResourceRecordSet[], string]>([
    ['no record of that name', [{ ...simpleA, Name: 'other.shop.internal.' }], 'missing'],
    ['a TXT record only', [{ Name: NAME, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"x"' }] }], 'missing'],
    ['one simple A record', [simpleA, { Name: NAME, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"x"' }] }], 'simple'],
    ['one simple alias', [aliasA], 'simple'],
    ['the blue/green pair', [weighted(BLUE_ID, 50, '10.0.1.10'), weighted(GREEN_ID, 50, '10.0.1.20')], 'weighted'],
    ['a weighted set of somebody else', [weighted('east', 1, '10.0.1.10'), weighted('west', 1, '10.0.1.20')], 'other'],
    ['blue alone', [weighted(BLUE_ID, 100, '10.0.1.10')], 'other'],
    ['A and AAAA', [simpleA, { ...simpleA, Type: 'AAAA', ResourceRecords: [{ Value: 'fd00::1' }] }], 'other'],
  ])('%s', (_what, records, kind) => {
    expect(dnsStateOf(records, 'inventory.shop.internal').kind).toBe(kind);
  });

  it("reads green's weight as a percentage of both", () => {
    const state = dnsStateOf([weighted(BLUE_ID, 90, '10.0.1.10'), weighted(GREEN_ID, 10, '10.0.1.20')], 'inventory.shop.internal');
    expect(state).toMatchObject({ kind: 'weighted', greenWeight: 10 });
    const zero = dnsStateOf([weighted(BLUE_ID, 0, '10.0.1.10'), weighted(GREEN_ID, 0, '10.0.1.20')], 'inventory.shop.internal');
    expect(zero).toMatchObject({ greenWeight: 0 });
  });

  it('compares names as Route 53 writes them back (case, trailing dot, \\052 for *)', () => {
    expect(sameName('\\052.Shop.Internal.', '*.shop.internal')).toBe(true);
    expect(sameName('inventory.shop.internal.', 'inventory.shop.internal.x')).toBe(false);
  });
});

describe('the change batches', () => {
  const green = { kind: 'values' as const, values: ['10.0.1.20'] };

  it('splits a simple record in one batch: DELETE it exactly as read first, then CREATE blue 100 and green 0 of the same name, type and TTL', () => {
    const batch = planSplit(simpleA, green);
    expect(batch.map((c) => c.Action)).toEqual(['DELETE', 'CREATE', 'CREATE']);
    expect(batch[0]!.ResourceRecordSet).toBe(simpleA);
    expect(batch[1]!.ResourceRecordSet).toEqual({ ...simpleA, SetIdentifier: 'blue', Weight: 100 });
    expect(batch[2]!.ResourceRecordSet).toEqual({
      Name: NAME,
      Type: 'A',
      TTL: 300,
      SetIdentifier: 'green',
      Weight: 0,
      ResourceRecords: [{ Value: '10.0.1.20' }],
    });
    for (const c of batch.slice(1)) {
      const r = c.ResourceRecordSet!;
      expect(r.SetIdentifier!.length).toBeGreaterThanOrEqual(1);
      expect(r.SetIdentifier!.length).toBeLessThanOrEqual(128);
      expect(r.Weight).toBeGreaterThanOrEqual(0);
      expect(r.Weight).toBeLessThanOrEqual(MAX_WEIGHT);
    }
  });

  it('keeps an alias an alias (no TTL, EvaluateTargetHealth kept) and gives a green non-alias record TTL 60 beside it', () => {
    const batch = planSplit(aliasA, green);
    expect(batch[1]!.ResourceRecordSet).toEqual({ ...aliasA, SetIdentifier: 'blue', Weight: 100 });
    expect(batch[1]!.ResourceRecordSet).not.toHaveProperty('TTL');
    expect(batch[2]!.ResourceRecordSet).toMatchObject({ TTL: 60, ResourceRecords: [{ Value: '10.0.1.20' }] });
    const toAlias = planSplit(aliasA, { kind: 'alias', hostedZoneId: 'Z1H1FL5HABSF5', dnsName: 'internal-green-1.elb.amazonaws.com' });
    expect(toAlias[2]!.ResourceRecordSet).toEqual({
      Name: NAME,
      Type: 'A',
      SetIdentifier: 'green',
      Weight: 0,
      AliasTarget: { HostedZoneId: 'Z1H1FL5HABSF5', DNSName: 'internal-green-1.elb.amazonaws.com', EvaluateTargetHealth: true },
    });
  });

  it('splits a CNAME with a domain name for green, and refuses a value of the wrong kind', () => {
    expect(planSplit(cname, { kind: 'values', values: ['inventory-green.local'] })[2]!.ResourceRecordSet).toMatchObject({
      Type: 'CNAME',
      TTL: 60,
      ResourceRecords: [{ Value: 'inventory-green.local' }],
    });
    expect(() => planSplit(cname, green)).toThrow(/the record is CNAME, so green's value must be one domain name/);
  });

  it.each([10, 50, 100, 0])('shifts to green %i%% by UPSERTing both weights in one batch', (w) => {
    const blue = weighted(BLUE_ID, 100, '10.0.1.10');
    const g = weighted(GREEN_ID, 0, '10.0.1.20');
    const batch = planWeights(blue, g, w);
    expect(batch).toEqual([
      { Action: 'UPSERT', ResourceRecordSet: { ...blue, Weight: 100 - w } },
      { Action: 'UPSERT', ResourceRecordSet: { ...g, Weight: w } },
    ]);
  });

  it('refuses a weight outside 0..100', () => {
    const blue = weighted(BLUE_ID, 100, '10.0.1.10');
    expect(() => planWeights(blue, blue, 101)).toThrow(RangeError);
    expect(() => planWeights(blue, blue, 2.5)).toThrow(RangeError);
    expect(() => planSplit(simpleA, green, -1)).toThrow(RangeError);
  });

  it.each([
    ['green', '10.0.1.20'],
    ['blue', '10.0.1.10'],
  ] as const)('merges to %s: DELETE both as read, then one plain record of that value', (to, value) => {
    const blue = weighted(BLUE_ID, 0, '10.0.1.10');
    const g = weighted(GREEN_ID, 100, '10.0.1.20');
    const batch = planMerge(blue, g, to);
    expect(batch.map((c) => c.Action)).toEqual(['DELETE', 'DELETE', 'UPSERT']);
    expect(batch[0]!.ResourceRecordSet).toBe(blue);
    expect(batch[1]!.ResourceRecordSet).toBe(g);
    expect(batch[2]!.ResourceRecordSet).toEqual({ Name: NAME, Type: 'A', TTL: 300, ResourceRecords: [{ Value: value }] });
  });

  it('describes a record in one line', () => {
    expect(describeRecord(weighted(GREEN_ID, 10, '10.0.1.20'))).toBe('A 10.0.1.20 (green, weight 10)');
    expect(describeRecord(aliasA)).toBe('A alias internal-blue-1.us-west-2.elb.amazonaws.com');
  });
});
