import { describe, expect, it } from 'vitest';
import type { Service } from '@aws-sdk/client-ecs';
import {
  BLUE_TAG,
  CLUSTER_TAG,
  CREATED_BY_TAG,
  forwardsTo,
  GREEN_TAG,
  greenNameOf,
  greenNameProblem,
  greenServiceTags,
  greenTargetGroupName,
  markProblem,
  pairMark,
  pairsOf,
  tagsOf,
  greenWeightOf,
  pairState,
  parseShift,
  planGreenService,
  planGreenTargetGroup,
  plainForward,
  stepsLeft,
  TARGET_GROUP_NAME,
  weightedForward,
} from '../../../src/core/migrate/blue-green.js';

const BLUE = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/crystal-tg/0123456789abcdef';
const GREEN = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/crystal-tg-sc/fedcba9876543210';

describe('names', () => {
  it('green is <blue>-sc unless told otherwise', () => {
    expect(greenNameOf('crystal-service-lb')).toBe('crystal-service-lb-sc');
    expect(greenNameOf('crystal-service-lb', 'crystal-v2')).toBe('crystal-v2');
  });

  it.each([
    ['crystal-service-lb-sc', /^crystal-service-lb-sc-[0-9a-f]{8}$/],
    ['a-very-long-green-service-name-well-past-thirty-two', /^a-very-long-green-servi-[0-9a-f]{8}$/],
    ['under_score__name', /^under-score-name-[0-9a-f]{8}$/],
    ['_-_', /^green-[0-9a-f]{8}$/],
    ['abcdefghijklmnopqrstuv-x', /^abcdefghijklmnopqrstuv-[0-9a-f]{8}$/],
  ])('green %s gets a target group named after it, valid for ELB (at most 32, no double hyphen)', (green, name) => {
    const tg = greenTargetGroupName('c', green);
    expect(tg).toMatch(name);
    expect(tg.length).toBeLessThanOrEqual(32);
    expect(tg).toMatch(TARGET_GROUP_NAME);
    expect(tg).not.toMatch(/--/);
  });

  it("is green's and the cluster's own: two greens of one blue, or one green name in two clusters, never share one", () => {
    expect(greenTargetGroupName('c', 'crystal-v2')).not.toBe(greenTargetGroupName('c', 'crystal-v3'));
    expect(greenTargetGroupName('c1', 'crystal-sc')).not.toBe(greenTargetGroupName('c2', 'crystal-sc'));
    // A long name cut to the same 23 characters still differs by its hash.
    const a = greenTargetGroupName('c', 'a-very-long-green-service-name-one');
    expect(a).not.toBe(greenTargetGroupName('c', 'a-very-long-green-service-name-two'));
    // The cluster as a name or its ARN is one cluster.
    expect(greenTargetGroupName('arn:aws:ecs:us-west-2:123456789012:cluster/c', 'g')).toBe(greenTargetGroupName('c', 'g'));
  });

  it.each([
    ['crystal-service-lb', 'crystal-service-lb', /is the blue service itself/],
    ['arn:aws:ecs:us-west-2:123456789012:service/c/crystal-service-lb', 'crystal-service-lb', /is the blue service itself/],
    ['crystal-service-lb', 'crystal-service-lb-sc', undefined],
    ['crystal-service-lb', 'Crystal-Service-LB', undefined],
  ])('--service %s with --green-name %s', (blue, green, problem) => {
    const found = greenNameProblem(blue, green);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });
});

describe("meshctl's mark: which green it may adopt, change or delete", () => {
  const pair = { cluster: 'appmesh-workshop', blue: 'crystal-service-lb', green: 'crystal-service-lb-sc' };
  const ours = pairMark(pair);

  it('names who made it, the cluster, blue and green', () => {
    expect(ours).toEqual({
      [CREATED_BY_TAG]: 'meshctl',
      [CLUSTER_TAG]: 'appmesh-workshop',
      [BLUE_TAG]: 'crystal-service-lb',
      [GREEN_TAG]: 'crystal-service-lb-sc',
    });
  });

  it.each([
    ['its own mark', 'service', ours, undefined],
    ['its own mark, among other tags', 'target group', { team: 'crystal', ...ours }, undefined],
    ['no tags at all (an unrelated service, or blue itself)', 'service', {}, /meshctl did not create it/],
    ["blue's own tags copied by hand, without created-by", 'service', { [BLUE_TAG]: 'crystal-service-lb' }, /meshctl did not create it/],
    ['created-by with another value', 'service', { ...ours, [CREATED_BY_TAG]: 'someone' }, /meshctl did not create it/],
    ["another blue's green", 'service', { ...ours, [BLUE_TAG]: 'other-svc' }, /another blue\/green pair \(blue other-svc/],
    ["another green's mark (blue's second green)", 'service', { ...ours, [GREEN_TAG]: 'crystal-v2' }, /another blue\/green pair/],
    ['a mark without the green tag', 'service', { [CREATED_BY_TAG]: 'meshctl', [BLUE_TAG]: 'crystal-service-lb' }, /another/],
    ['a target group of another cluster', 'target group', { ...ours, [CLUSTER_TAG]: 'other' }, /in cluster other/],
    ['a service: its cluster is its own', 'service', { ...ours, [CLUSTER_TAG]: 'other' }, undefined],
  ] as const)('%s', (_case, kind, tags, problem) => {
    const found = markProblem(`${kind} x`, tags, pair, kind);
    if (problem) {
      expect(found).toMatch(problem);
      expect(found).toMatch(/left as it is; pass another --green-name/);
    } else expect(found).toBeUndefined();
  });

  it('reads tags of either API', () => {
    expect(tagsOf([{ key: 'a', value: '1' }])).toEqual({ a: '1' });
    expect(tagsOf([{ Key: 'a', Value: '1' }, { Key: 'b' }])).toEqual({ a: '1', b: '' });
    expect(tagsOf(undefined)).toEqual({});
  });

  it("green's tags are blue's own (not aws: ones, not an older mark) and the mark, within ECS's 50", () => {
    const tags = greenServiceTags(
      [
        { key: 'team', value: 'crystal' },
        { key: 'aws:cloudformation:stack-name', value: 's' },
        { key: BLUE_TAG, value: 'older-blue' },
        { key: CREATED_BY_TAG, value: 'meshctl' },
      ],
      pair,
    );
    expect(tagsOf(tags)).toEqual({ team: 'crystal', ...ours });
    const many = Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const capped = greenServiceTags(many, pair);
    expect(capped).toHaveLength(50);
    expect(markProblem('s', tagsOf(capped), pair, 'service')).toBeUndefined();
  });

  it('finds pairs by the mark only, never by the name', () => {
    const svc = (serviceName: string, tags: Record<string, string> = {}) => ({
      serviceName,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    const pairs = pairsOf('appmesh-workshop', [
      svc('crystal-service-lb'),
      svc('crystal-service-lb-sc', ours),
      // named like a green, not marked: not a pair
      svc('products'),
      svc('products-sc'),
      // marked for a blue that is not in the cluster any more: not listed (finished)
      svc('gone-sc', pairMark({ ...pair, blue: 'gone', green: 'gone-sc' })),
      // a custom green name, marked
      svc('inventory'),
      svc('inventory-v2', pairMark({ ...pair, blue: 'inventory', green: 'inventory-v2' })),
      // a mark copied onto another service (it names another green)
      svc('copy', ours),
      // a service marked as its own green
      svc('self', pairMark({ ...pair, blue: 'self', green: 'self' })),
    ]);
    expect(pairs).toEqual([
      { cluster: 'appmesh-workshop', blue: 'crystal-service-lb', green: 'crystal-service-lb-sc' },
      { cluster: 'appmesh-workshop', blue: 'inventory', green: 'inventory-v2' },
    ]);
  });
});

describe('the green target group', () => {
  it('is like blue (protocol, port, VPC, health check) with target type ip', () => {
    const pair = { cluster: 'c', blue: 'crystal-service-lb', green: 'crystal-service-lb-sc' };
    const input = planGreenTargetGroup(
      {
        TargetGroupName: 'crystal-tg',
        Protocol: 'HTTP',
        Port: 3000,
        VpcId: 'vpc-1',
        TargetType: 'instance',
        HealthCheckPath: '/health',
        HealthCheckPort: 'traffic-port',
        HealthyThresholdCount: 3,
        Matcher: { HttpCode: '200' },
        LoadBalancerArns: ['arn:lb'],
      },
      pair,
    );
    expect(input).toEqual({
      Name: greenTargetGroupName('c', 'crystal-service-lb-sc'),
      Protocol: 'HTTP',
      Port: 3000,
      VpcId: 'vpc-1',
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckPort: 'traffic-port',
      HealthyThresholdCount: 3,
      Matcher: { HttpCode: '200' },
      Tags: [
        { Key: CREATED_BY_TAG, Value: 'meshctl' },
        { Key: CLUSTER_TAG, Value: 'c' },
        { Key: BLUE_TAG, Value: 'crystal-service-lb' },
        { Key: GREEN_TAG, Value: 'crystal-service-lb-sc' },
      ],
    });
  });
});

describe('the weighted forward', () => {
  const plain = [{ Type: 'forward' as const, TargetGroupArn: BLUE }];

  it('turns a plain forward to blue into blue 100 / green 0, then shifts', () => {
    const zero = weightedForward(plain, BLUE, GREEN, 0);
    expect(zero).toEqual([
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE, Weight: 100 },
            { TargetGroupArn: GREEN, Weight: 0 },
          ],
        },
      },
    ]);
    expect(greenWeightOf(zero, BLUE, GREEN)).toBe(0);
    const fifty = weightedForward(zero, BLUE, GREEN, 50);
    expect(greenWeightOf(fifty, BLUE, GREEN)).toBe(50);
    expect(greenWeightOf(plain, BLUE, GREEN)).toBe(0);
  });

  it('keeps the actions before the forward and the stickiness', () => {
    const auth = { Type: 'authenticate-oidc' as const, Order: 1, AuthenticateOidcConfig: { Issuer: 'x' } as never };
    const fwd = {
      Type: 'forward' as const,
      Order: 2,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE }], TargetGroupStickinessConfig: { Enabled: true } },
    };
    const out = weightedForward([auth, fwd], BLUE, GREEN, 10);
    expect(out[0]).toBe(auth);
    expect(out[1]).toMatchObject({ Order: 2, ForwardConfig: { TargetGroupStickinessConfig: { Enabled: true } } });
    expect(greenWeightOf(out, BLUE, GREEN)).toBe(10);
  });

  it('finishes as a plain forward to green, aborts as a plain forward to blue', () => {
    const shifted = weightedForward([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 100);
    expect(plainForward(shifted, BLUE, GREEN, GREEN)).toEqual([{ Type: 'forward', TargetGroupArn: GREEN }]);
    expect(plainForward(shifted, BLUE, GREEN, BLUE)).toEqual([{ Type: 'forward', TargetGroupArn: BLUE }]);
    expect(greenWeightOf(plainForward(shifted, BLUE, GREEN, GREEN), BLUE, GREEN)).toBe(100);
  });

  it('leaves actions that forward elsewhere alone, and refuses a weight out of range', () => {
    const other = { Type: 'forward' as const, TargetGroupArn: 'arn:other' };
    expect(weightedForward([other], BLUE, GREEN, 10)).toEqual([other]);
    expect(forwardsTo(other, BLUE)).toBe(false);
    expect(greenWeightOf([other], BLUE, GREEN)).toBeUndefined();
    expect(() => weightedForward([other], BLUE, GREEN, 101)).toThrow(/0 to 100/);
  });
});

describe('--shift', () => {
  it.each([
    ['10,50,100', [10, 50, 100]],
    ['100', [100]],
    [' 25 , 100', [25, 100]],
  ])('%s', (value, steps) => expect(parseShift(value)).toEqual({ steps }));

  it.each([
    ['10,50', /last step must be 100/],
    ['50,10,100', /must rise/],
    ['0,100', /from 1 to 100/],
    ['10,abc,100', /not a list of whole percentages/],
    ['', /not a list/],
  ])('refuses %j', (value, problem) => expect((parseShift(value) as { problem: string }).problem).toMatch(problem));

  it('resumes with the steps above the weight reached', () => {
    expect(stepsLeft([10, 50, 100], 0)).toEqual([10, 50, 100]);
    expect(stepsLeft([10, 50, 100], 50)).toEqual([100]);
    expect(stepsLeft([10, 50, 100], 100)).toEqual([]);
  });
});

describe('the green service', () => {
  const blue: Service = {
    serviceName: 'crystal-service-lb',
    desiredCount: 3,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
    healthCheckGracePeriodSeconds: 30,
    tags: [{ key: 'team', value: 'crystal' }],
    serviceRegistries: [{ registryArn: 'arn:srv' }],
  };

  it('copies what blue runs with, turns on the circuit breaker with rollback, and adds green target group and Service Connect', () => {
    const sc = {
      enabled: true,
      namespace: 'local',
      services: [{ portName: 'crystal', clientAliases: [{ port: 3000, dnsName: 'crystal.local' }] }],
    };
    const input = planGreenService(blue, {
      cluster: 'c',
      greenName: 'crystal-service-lb-sc',
      taskDefinitionArn: 'td:3',
      serviceConnectConfiguration: sc,
      loadBalancer: { targetGroupArn: GREEN, containerName: 'crystal', containerPort: 3000 },
    });
    expect(input).toEqual({
      cluster: 'c',
      serviceName: 'crystal-service-lb-sc',
      taskDefinition: 'td:3',
      desiredCount: 3,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: blue.networkConfiguration,
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      healthCheckGracePeriodSeconds: 30,
      tags: [
        { key: 'team', value: 'crystal' },
        { key: CREATED_BY_TAG, value: 'meshctl' },
        { key: CLUSTER_TAG, value: 'c' },
        { key: BLUE_TAG, value: 'crystal-service-lb' },
        { key: GREEN_TAG, value: 'crystal-service-lb-sc' },
      ],
      loadBalancers: [{ targetGroupArn: GREEN, containerName: 'crystal', containerPort: 3000 }],
      serviceConnectConfiguration: sc,
    });
    // Green would register under blue's Cloud Map name: not copied.
    expect(input).not.toHaveProperty('serviceRegistries');
  });

  it('uses the capacity provider strategy instead of a launch type when blue has one', () => {
    const input = planGreenService(
      { ...blue, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
      { cluster: 'c', greenName: 'g', taskDefinitionArn: 't' },
    );
    expect(input.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    expect(input).not.toHaveProperty('launchType');
    expect(input).not.toHaveProperty('healthCheckGracePeriodSeconds');
  });
});

describe('the state of a pair', () => {
  it.each([
    [{ blueExists: true, greenExists: false, greenRunning: 0, greenDesired: 0 }, { state: 'blue-only' }],
    [
      { blueExists: true, greenExists: true, greenRunning: 1, greenDesired: 3, greenWeight: 0 },
      { state: 'green-starting', weight: 0 },
    ],
    [
      { blueExists: true, greenExists: true, greenRunning: 3, greenDesired: 3, greenWeight: 50 },
      { state: 'shifting', weight: 50 },
    ],
    [
      { blueExists: true, greenExists: true, greenRunning: 3, greenDesired: 3, greenWeight: 100 },
      { state: 'green-only', weight: 100 },
    ],
    [{ blueExists: true, greenExists: true, greenRunning: 3, greenDesired: 3 }, { state: 'green-only' }],
    [
      { blueExists: false, greenExists: true, greenRunning: 3, greenDesired: 3, greenWeight: 100 },
      { state: 'finished', weight: 100 },
    ],
  ])('%j', (facts, state) => expect(pairState(facts)).toEqual(state));
});
