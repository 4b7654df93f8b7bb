import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/fake-deps.js';

const ecs = mockClient(ECSClient);
const ARN = (rev: number) => `arn:aws:ecs:us-west-2:123456789012:task-definition/crystal:${rev}`;
/** What ECS answers for any task definition it does not have: the same words whatever was asked. */
const unable = () =>
  new ECSServiceException({
    name: 'ClientException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Unable to describe task definition.',
  });

beforeEach(() => {
  ecs.reset();
  ecs.on(DescribeTaskDefinitionCommand).rejects(unable());
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'crystal' }).resolves({
    taskDefinition: { family: 'crystal', revision: 3, taskDefinitionArn: ARN(3), containerDefinitions: [{ name: 'app' }] },
  });
  ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [ARN(3)] });
  ecs.on(DescribeServicesCommand).resolves({
    services: [{ serviceName: 'crystal-service-lb', taskDefinition: ARN(3), deployments: [], desiredCount: 1 }],
  });
});

const base = ['--cluster', 'c', '--service', 'crystal-service-lb'];

describe('a task definition that does not exist is named, with the family latest revision', () => {
  it.each([
    [
      'update-service --task-definition FAMILY',
      ['update-service', ...base, '--task-definition', 'nosuchfamily'],
      '--task-definition: task definition "nosuchfamily" does not exist; family "nosuchfamily" has no ACTIVE revision',
    ],
    [
      'update-service --task-definition FAMILY:REVISION',
      ['update-service', ...base, '--task-definition', 'crystal:99'],
      '--task-definition: task definition "crystal:99" does not exist; the latest ACTIVE revision of family "crystal" is crystal:3',
    ],
    [
      'update-service --task-definition ARN',
      ['update-service', ...base, '--task-definition', ARN(7)],
      `--task-definition: task definition "${ARN(7)}" does not exist; the latest ACTIVE revision of family "crystal" is crystal:3`,
    ],
    [
      'add-envoy --task-definition FAMILY:REVISION',
      ['add-envoy', '--task-definition', 'crystal:99', '--skip-mesh-check', '--envoy-image', 'e:1'],
      '--task-definition: task definition "crystal:99" does not exist; the latest ACTIVE revision of family "crystal" is crystal:3',
    ],
    [
      'rollback --to REVISION',
      ['rollback', ...base, '--to', '99', '--no-wait'],
      '--to: task definition "99" (crystal:99) does not exist; the latest ACTIVE revision of family "crystal" is crystal:3',
    ],
  ])('%s: exit 3, naming it', async (_name, args, message) => {
    const r = await runInProcess([...args, '--json']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`error: ${message}`);
    expect(JSON.parse(r.stdout).error).toMatchObject({ kind: 'aws-call', operation: 'DescribeTaskDefinition', message });
  });

  it('a task definition that exists is described once, as before', async () => {
    const r = await runInProcess(['add-envoy', '--task-definition', 'crystal', '--skip-mesh-check', '--envoy-image', 'e:1', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
  });
});

describe("a cfn-output value is reported under its own file's name", () => {
  it.each([
    [
      { EcsClusterName: 'c', CrystalTaskDefinition: 'not a task definition' },
      'CrystalTaskDefinition "not a task definition" is not a task definition',
    ],
    [{ EcsClusterName: 'c', CrystalTaskDefinition: 'nosuch' }, 'CrystalTaskDefinition: task definition "nosuch" does not exist'],
  ])('%j', async (outputs, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'meshctl-cfn-'));
    const file = join(dir, 'prod-outputs.json');
    writeFileSync(file, JSON.stringify(outputs));
    const r = await runInProcess(['add-envoy', '--cfn-output', file, '--skip-mesh-check', '--envoy-image', 'e:1']);
    expect(r.stderr).toContain(`${file}: ${message}`);
    expect(r.stderr).not.toContain('cfn-output.json');
  });
});
