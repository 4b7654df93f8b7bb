import { describe, expect, it } from 'vitest';
import { checkConfigValues } from '../../src/cli/options/config.js';
import { checkConfigFile, configShape, nearestKey } from '../../src/core/config-file.js';
import { UsageError } from '../../src/errors.js';

const F = 'meshctl.yaml';

/** The problems a check throws, one string each. */
function problemsOf(check: () => unknown): readonly string[] {
  try {
    check();
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
  return [];
}

describe('checkConfigFile: the shape of meshctl.yaml', () => {
  it('returns every key typed, numbers of durations and counts as text', () => {
    const value = {
      cluster: 'c1',
      services: ['orders', 'payments'],
      mesh: 'm',
      virtualNode: '{service}-node',
      host: '{service}.local',
      envoyImage: 'example/envoy:v1.29',
      timeouts: { wait: '5m', verify: 90 },
      interval: 2,
      concurrency: 8,
    };
    expect(checkConfigFile(value, F)).toEqual({ ...value, timeouts: { wait: '5m', verify: '90' }, interval: '2', concurrency: '8' });
  });

  it.each([null, undefined])('an empty file (%s) sets nothing', (value) => {
    expect(checkConfigFile(value, F)).toEqual({});
  });

  it.each([
    ['a list at the top', ['cluster'], 'meshctl.yaml: expected a mapping of keys (cluster, services, '],
    ['a string at the top', 'cluster: x', 'meshctl.yaml: expected a mapping of keys'],
    ['timeouts not a mapping', { timeouts: '5m' }, 'meshctl.yaml: timeouts: expected a mapping of keys (wait, verify), found a string'],
    ['a near miss', { clustr: 'c' }, 'meshctl.yaml: unknown key "clustr" (did you mean "cluster"?); known keys: cluster, services,'],
    ['another case', { VirtualNode: 'n' }, 'meshctl.yaml: unknown key "VirtualNode" (did you mean "virtualNode"?)'],
    ['kebab-case', { 'envoy-image': 'i' }, 'meshctl.yaml: unknown key "envoy-image" (did you mean "envoyImage"?)'],
    ['nothing near', { region: 'us-west-2' }, 'meshctl.yaml: unknown key "region"; known keys: cluster, services, mesh,'],
    [
      'a nested near miss',
      { timeouts: { wiat: '1m' } },
      'meshctl.yaml: unknown key "timeouts.wiat" (did you mean "timeouts.wait"?); known keys under timeouts: wait, verify',
    ],
    ['a number for a name', { cluster: 123 }, 'meshctl.yaml: cluster: expected a string, found a number (put it in quotes)'],
    ['a boolean for a name', { mesh: true }, 'meshctl.yaml: mesh: expected a string, found a boolean (put it in quotes)'],
    ['no value', { host: null }, 'meshctl.yaml: host: expected a string, found no value'],
    ['a mapping for a duration', { interval: { s: 1 } }, 'meshctl.yaml: interval: expected a string or a number, found a mapping'],
    ['a list for a count', { concurrency: [1] }, 'meshctl.yaml: concurrency: expected a string or a number, found a list'],
    [
      'one service, not a list',
      { services: 'orders' },
      'meshctl.yaml: services: expected a list of names (services: [orders, payments]), found a string',
    ],
    [
      'an empty list',
      { services: [] },
      'meshctl.yaml: services: expected a list of names (services: [orders, payments]), found an empty list',
    ],
    ['a number in the list', { services: ['a', 7] }, 'meshctl.yaml: services[1]: expected a name, found a number'],
  ])('%s: exit 2 naming the key', (_what, value, message) => {
    const problems = problemsOf(() => checkConfigFile(value, F));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('names the file as given, escaping control characters in a key', () => {
    expect(problemsOf(() => checkConfigFile({ 'x\u001b[2J': 1 }, 'conf/team.yaml'))[0]).toBe(
      'conf/team.yaml: unknown key "x\\u001b[2J"; known keys: cluster, services, mesh, virtualNode, host, envoyImage, timeouts, interval, concurrency',
    );
  });

  it('reports every problem at once, and keeps the keys that are right', () => {
    const { config, problems } = configShape({ cluster: 'c', clustr: 'd', timeouts: { wait: '1m', verfy: '1m' }, mesh: 3 }, F);
    expect(config).toEqual({ cluster: 'c', timeouts: { wait: '1m' } });
    expect(problems).toHaveLength(3);
    expect(() => checkConfigFile({ clustr: 'd', mesh: 3 }, F)).toThrow(
      /^2 problems with the input; nothing was done:\n {2}- meshctl.yaml: unknown key "clustr"/,
    );
  });
});

describe('nearestKey', () => {
  const keys = ['cluster', 'services', 'timeouts', 'interval', 'concurrency', 'envoyImage'];
  it.each([
    ['service', 'services'],
    ['timeout', 'timeouts'],
    ['intreval', 'interval'],
    ['concurency', 'concurrency'],
    ['ENVOY_IMAGE', 'envoyImage'],
    ['x', undefined],
    ['profile', undefined],
  ])('%s -> %s', (typo, meant) => {
    expect(nearestKey(typo, keys)).toBe(meant);
  });

  it('compares only keys of plausible length: a 4 MiB key is no typo, and costs no distance table', () => {
    const huge = 'c'.repeat(4 * 1024 * 1024);
    expect(nearestKey(huge, keys)).toBeUndefined();
    expect(nearestKey('concurrencyyy', keys)).toBe('concurrency');
    expect(nearestKey('concurrencyyyy', keys)).toBeUndefined();
  });
});

describe('a file of hostile keys', () => {
  it('shows a long key cut, with its length, and escaped', () => {
    const key = `\u001b[2J${'k'.repeat(5000)}`;
    const { problems } = configShape({ [key]: 1 }, F);
    expect(problems).toEqual([expect.stringMatching(/^meshctl\.yaml: unknown key "\\u001b\[2Jk{60}…" \(5004 characters\); known keys: /)]);
  });

  it('names ten unknown keys of a mapping and counts the rest', () => {
    const value = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, i]));
    const { problems } = configShape({ ...value, timeouts: { a: 1, b: 2 } }, F);
    expect(problems).toHaveLength(13);
    expect(problems.slice(10)).toEqual([
      expect.stringMatching(/unknown key "timeouts\.a"/),
      expect.stringMatching(/unknown key "timeouts\.b"/),
      'meshctl.yaml: 4990 more unknown keys; is it the right file?',
    ]);
  });
});

describe("checkConfigValues: values by the flags' own rules, named by key", () => {
  const check = (config: object, problems: string[] = []) => problemsOf(() => checkConfigValues({ file: F, config, problems }));

  it('passes good values, templates included', () => {
    expect(
      check({
        cluster: 'arn:aws:ecs:us-west-2:123456789012:cluster/c',
        services: ['a', 'b_2'],
        mesh: 'm',
        virtualNode: '{service}-vn',
        host: '{service}.local',
        envoyImage: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.12.1-prod',
        timeouts: { wait: '10m', verify: '90' },
        interval: '500ms',
        concurrency: '50',
      }),
    ).toEqual([]);
  });

  it.each([
    [{ cluster: 'a b' }, 'meshctl.yaml: cluster: "a b" is not a valid name (letters, digits, - and _, at most 255; or an ECS cluster ARN)'],
    [{ services: ['ok', 'arn:aws:s3:::b'] }, 'meshctl.yaml: services[1]: "arn:aws:s3:::b" is not a valid name'],
    [{ mesh: 'bad mesh!' }, 'meshctl.yaml: mesh: "bad mesh!" is not a valid App Mesh name'],
    [
      { virtualNode: '{service} node' },
      'meshctl.yaml: virtualNode: "{service} node" is not a valid App Mesh name, with {service} standing for a service name',
    ],
    [{ virtualNode: 'a node' }, 'meshctl.yaml: virtualNode: "a node" is not a valid App Mesh name'],
    [{ host: 'a;b' }, 'meshctl.yaml: host: "a;b" is not a DNS name or IPv4 address'],
    [{ envoyImage: 'a b' }, 'meshctl.yaml: envoyImage: an image reference has no spaces'],
    [{ timeouts: { wait: '5x' } }, 'meshctl.yaml: timeouts.wait: "5x" is not a duration'],
    [{ timeouts: { verify: '500ms' } }, 'meshctl.yaml: timeouts.verify: "500ms" is shorter than 1s, the least it takes'],
    [{ interval: '10ms' }, 'meshctl.yaml: interval: "10ms" is shorter than 100ms'],
    [{ concurrency: '51' }, 'meshctl.yaml: concurrency: 51 is out of range (1 to 50)'],
    [{ concurrency: 'four' }, 'meshctl.yaml: concurrency: "four" is not a whole number'],
  ])('%j', (config, message) => {
    const problems = check(config);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("reports the shape's problems and the values' together", () => {
    expect(check({ interval: 'soon', cluster: 'a b' }, ['meshctl.yaml: unknown key "clustr"'])).toEqual([
      'meshctl.yaml: unknown key "clustr"',
      expect.stringContaining('meshctl.yaml: cluster: "a b"'),
      expect.stringContaining('meshctl.yaml: interval: "soon" is not a duration'),
    ]);
  });
});
