import { describe, expect, it } from 'vitest';
import type { Service } from '@aws-sdk/client-ecs';
import {
  BLUE_TAG,
  forwardsTo,
  greenNameOf,
  greenTargetGroupName,
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

  it('the green target group name fits in 32 characters and stays valid', () => {
    expect(greenTargetGroupName('crystal-tg')).toBe('crystal-tg-sc');
    const long = greenTargetGroupName('a-very-long-target-group-name-x-y');
    expect(long.length).toBeLessThanOrEqual(32);
    expect(long).toMatch(TARGET_GROUP_NAME);
    expect(greenTargetGroupName('abcdefghijklmnopqrstuvwxyz12-4567')).toMatch(TARGET_GROUP_NAME);
  });
});

describe('the green target group', () => {
  it('is like blue (protocol, port, VPC, health check) with target type ip', () => {
    const input = planGreenTargetGroup({
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
    });
    expect(input).toEqual({
      Name: 'crystal-tg-sc',
      Protocol: 'HTTP',
      Port: 3000,
      VpcId: 'vpc-1',
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckPort: 'traffic-port',
      HealthyThresholdCount: 3,
      Matcher: { HttpCode: '200' },
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
        { key: BLUE_TAG, value: 'crystal-service-lb' },
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
