import { describe, expect, it } from 'vitest';
import { planCluster } from '../../../src/core/migrate/plan.js';
import { compareVersions, type ServiceRuntime } from '../../../src/core/migrate/prerequisites.js';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { clusterInput, revision, serviceFacts } from './fixtures.js';

const fargate: ServiceRuntime = { service: 'payments', launchType: 'FARGATE', capacityProviders: [], deploymentController: 'ECS' };
const ec2: ServiceRuntime = { service: 'payments', launchType: 'EC2', capacityProviders: [] };

/** The error findings of payments' plan, with the given revision fields and runtime. */
function errors(fill: Partial<TaskDefinition>, runtime?: ServiceRuntime): string[] {
  const input = clusterInput([serviceFacts('payments', revision('payments', 7, { fill }))], runtime ? { runtime: [runtime] } : {});
  const plan = planCluster(input);
  const out = plan.services[0]!.findings.filter((f) => f.level === 'error').map((f) => f.message);
  expect(plan.ok).toBe(out.length === 0);
  return out;
}

describe('compareVersions', () => {
  it.each([
    ['1.67.2', '1.67.2', 0],
    ['1.67.10', '1.67.2', 1],
    ['1.9.0', '1.67.2', -1],
    ['1.3.0', '1.4.0', -1],
    ['2.0.0', '1.67.2', 1],
    ['v1.70.0', '1.67.2', 1],
  ])('%s vs %s', (a, b, sign) => expect(Math.sign(compareVersions(a, b))).toBe(sign));
});

describe('Service Connect prerequisites', () => {
  it('a Fargate service on awsvpc, LATEST, with task memory: no error', () => {
    expect(errors({}, { ...fargate, platformVersion: 'LATEST' })).toEqual([]);
    expect(errors({}, { ...fargate, platformVersion: '1.4.0' })).toEqual([]);
    expect(errors({ networkMode: 'bridge' }, { ...ec2, agents: [{ instance: 'i-1', version: '1.67.2' }] })).toEqual([]);
  });

  it.each([
    ['host network mode', { networkMode: 'host' as const }, undefined, /network mode host: Service Connect needs awsvpc or bridge/],
    ['none network mode', { networkMode: 'none' as const }, undefined, /network mode none/],
    ['Windows', { runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' as const } }, undefined, /does not support Windows/],
    ['no task memory', { memory: undefined }, ec2, /no task-level memory: .*set memory on the task definition/],
    [
      'container limits take all the memory',
      {
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'x', memory: 512, portMappings: [{ containerPort: 8080 }] }],
      },
      ec2,
      /memory limits \(512 MiB\) take all the task's memory \(512 MiB\)/,
    ],
    [
      'Fargate 1.3.0',
      {},
      { ...fargate, platformVersion: '1.3.0' },
      /Fargate platform version 1\.3\.0: Service Connect needs 1\.4\.0 or later; .*--platform-version LATEST/,
    ],
    [
      'Fargate Spot 1.3.0',
      {},
      { ...fargate, launchType: undefined, capacityProviders: ['FARGATE_SPOT'], platformVersion: '1.3.0' },
      /1\.3\.0/,
    ],
    [
      'an old agent on EC2',
      {},
      {
        ...ec2,
        agents: [
          { instance: 'i-new', version: '1.80.0' },
          { instance: 'i-old', version: '1.66.0' },
        ],
      },
      /agent older than 1\.67\.2: i-old \(1\.66\.0\); update their agent/,
    ],
    [
      'an EC2 capacity provider with an old agent',
      {},
      { service: 'payments', capacityProviders: ['asg-cp'], agents: [{ instance: 'i-1', version: '1.60.0' }] },
      /i-1 \(1\.60\.0\)/,
    ],
    ['ECS Anywhere', {}, { ...ec2, launchType: 'EXTERNAL' }, /external instances \(ECS Anywhere\)/],
    [
      'CodeDeploy',
      {},
      { ...fargate, deploymentController: 'CODE_DEPLOY' },
      /deployment controller CODE_DEPLOY: Service Connect needs the ECS deployment controller/,
    ],
  ])('%s: an error naming the fix', (_name, fill, runtime, message) => {
    const found = errors(fill as Partial<TaskDefinition>, runtime as ServiceRuntime | undefined);
    expect(found).toEqual([expect.stringMatching(/^cannot run Service Connect: /)]);
    expect(found[0]).toMatch(message);
  });

  it('agents are not judged for a Fargate service (they run its neighbours, not it)', () => {
    expect(errors({}, { ...fargate, agents: [{ instance: 'i-old', version: '1.0.0' }] })).toEqual([]);
  });

  it('the memory is judged only once how the service runs was read', () => {
    expect(errors({ memory: undefined })).toEqual([]);
  });

  it('judges only services that migrate', () => {
    const plain = serviceFacts('legacy', revision('legacy', 1, { envoy: false, fill: { networkMode: 'host' } }));
    const plan = planCluster(
      clusterInput([plain], { runtime: [{ service: 'legacy', capacityProviders: [], platformVersion: '1.0.0', launchType: 'FARGATE' }] }),
    );
    expect(plan.services[0]!.findings.filter((f) => f.level === 'error')).toEqual([]);
  });
});
