import { describe, expect, it } from 'vitest';
import {
  discoveryNameProblem,
  dnsNameProblem,
  httpNamespaceNameProblem,
  portNameProblem,
  suffixedEcsName,
  toEcsName,
} from '../../src/core/ecs-names.js';

const a64 = 'a'.repeat(64);

describe.each([
  ['portNameProblem', portNameProblem, 'port name'],
  ['discoveryNameProblem', discoveryNameProblem, 'discoveryName'],
])('%s', (_name, problem, what) => {
  it.each(['crystal', 'payments-sc2', 'api_v2', '_x', '0', a64, 'trailing-'])('accepts %j', (name) => {
    expect(problem(name)).toBeUndefined();
  });

  it.each([
    ['', /is empty/],
    ['Crystal', /characters ECS rejects \("C"\)/],
    ['two words', /characters ECS rejects \(" "\)/],
    ['crystal.local', /characters ECS rejects \("\."\)/],
    ['café', /characters ECS rejects \("é"\)/],
    ['名前', /characters ECS rejects \("名", "前"\)/],
    ['a;b', /";"/],
    ['$(touch /tmp/pwned)', /"\$", "\(", " ", "\/", "\)"/],
    ['`id`', /"`"/],
    ['two\nlines', /"\\n"/],
    [`${a64}b`, /has 65 characters; ECS allows 64/],
    ['-lead', /starts with "-"/],
  ])('rejects %j', (name, message) => {
    const found = problem(name);
    expect(found).toMatch(message);
    expect(found!.startsWith(what)).toBe(true);
  });
});

describe('dnsNameProblem', () => {
  const valid = ['crystal.appmeshworkshop.hosted.local', 'payments.local', 'redis', '_grpc.api.local', 'a-b.c_d.e', `${'a'.repeat(63)}.x`];
  it.each(valid)('accepts %j', (name) => {
    expect(dnsNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /is empty/],
    ['Bad_Name!.x', /characters ECS rejects \("B", "N", "!"\)/],
    ['Payments.local', /\("P"\)/],
    ['two words.local', /\(" "\)/],
    ['crystal.ümlaut.local', /\("ü"\)/],
    ['a;rm -rf.local', /";", " "/],
    ['-lead.local', /starts with "-", which ECS rejects/],
    ['a..b', /empty label/],
    ['.local', /empty label/],
    ['crystal.local.', /empty label/],
    ['api.-x.local', /label "-x" starts or ends with "-"/],
    ['api-.local', /label "api-" starts or ends with "-"/],
    [`${a64}.local`, /label "a{64}" has 64 characters; DNS allows 63/],
    [`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(10)}`, /has 132 characters; ECS allows at most 127/],
  ])('rejects %j', (name, message) => {
    expect(dnsNameProblem(name)).toMatch(message);
  });
});

describe('httpNamespaceNameProblem', () => {
  it.each(['local', 'appmeshworkshop.hosted.local', 'Prod_Mesh!', 'x'.repeat(1024), '~!{}'])('accepts %j', (name) => {
    expect(httpNamespaceNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /is empty/],
    ['two words', /characters Cloud Map rejects \(" "\)/],
    ['tab\there', /"\\t"/],
    ['naïve', /"ï"/],
    ['x'.repeat(1025), /has 1025 characters; Cloud Map allows 1024/],
    ['arn:aws:servicediscovery:us-west-2:123456789012:namespace/ns-1', /starts with "arn:"/],
  ])('rejects %j', (name, message) => {
    expect(httpNamespaceNameProblem(name)).toMatch(message);
  });
});

describe('toEcsName', () => {
  it.each([
    ['crystal', 'crystal'],
    ['Crystal', 'crystal'],
    ['Bad_Name!', 'bad_name-'],
    ['two words', 'two-words'],
    ['café', 'caf-'],
    ['名前x', 'x'],
    ['--lead', 'lead'],
    ['-', ''],
    ['', ''],
    ['$(id)', 'id-'],
    [`${'-'.repeat(70)}abc`, 'abc'],
    [`${'B'.repeat(70)}`, 'b'.repeat(64)],
  ])('%j → %j', (raw, name) => {
    expect(toEcsName(raw)).toBe(name);
  });

  const hostile = ['Bad_Name!', 'two words', '$(touch /tmp/x)', '😀 smile', `x${'Ä'.repeat(80)}`, ' -a', 'A'.repeat(200), '\u0000nul'];
  it.each(hostile)('gives a valid name or nothing for %j', (raw) => {
    const name = toEcsName(raw);
    if (name !== '') expect(portNameProblem(name)).toBeUndefined();
    expect(name.length).toBeLessThanOrEqual(64);
  });
});

describe('suffixedEcsName', () => {
  it('cuts the base, never the suffix, to stay within 64 characters', () => {
    expect(suffixedEcsName('api', '-9090')).toBe('api-9090');
    expect(suffixedEcsName(a64, '-sc2')).toBe(`${'a'.repeat(60)}-sc2`);
    expect(discoveryNameProblem(suffixedEcsName(a64, '-sc2'))).toBeUndefined();
  });
});
