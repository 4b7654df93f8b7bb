import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEcsApi } from '../../src/aws/ecs.js';
import { AwsCallError } from '../../src/errors.js';

const ecsMock = mockClient(ECSClient);
const api = () =>
  createEcsApi(new ECSClient({ region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 }));

beforeEach(() => {
  ecsMock.reset();
});

describe('EcsApi', () => {
  it('describes with tags', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { family: 'crystal', taskDefinitionArn: 'arn:td/crystal:4', containerDefinitions: [{ name: 'app', image: 'x' }] },
      tags: [{ key: 'a', value: 'b' }],
    });
    const d = await api().describeTaskDefinition('crystal');
    expect(d.tags).toEqual([{ key: 'a', value: 'b' }]);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'crystal', include: ['TAGS'] });
  });

  it("reads a service's tags with ListTagsForResource", async () => {
    ecsMock.on(ListTagsForResourceCommand).resolves({ tags: [{ key: 'meshctl:created-by', value: 'meshctl' }] });
    expect(await api().listTagsForResource('arn:aws:ecs:us-west-2:1:service/c/g')).toEqual([
      { key: 'meshctl:created-by', value: 'meshctl' },
    ]);
    expect(ecsMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: 'arn:aws:ecs:us-west-2:1:service/c/g' });
  });

  it('follows every ListTasks page', async () => {
    ecsMock
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: ['t1', 't2'], nextToken: 'p2' })
      .resolvesOnce({ taskArns: ['t3'], nextToken: 'p3' })
      .resolvesOnce({ taskArns: ['t4'] });
    expect(await api().listTasks('c', 's')).toEqual(['t1', 't2', 't3', 't4']);
    expect(ecsMock).toHaveReceivedCommandTimes(ListTasksCommand, 3);
    expect(ecsMock).toHaveReceivedNthSpecificCommandWith(2, ListTasksCommand, { cluster: 'c', serviceName: 's', nextToken: 'p2' });
  });

  it('lists a family in the status asked for (ACTIVE unless told), following pages', async () => {
    ecsMock
      .on(ListTaskDefinitionsCommand, { status: 'INACTIVE' })
      .resolvesOnce({ taskDefinitionArns: ['arn:td/crystal:2'], nextToken: 'p2' })
      .resolvesOnce({ taskDefinitionArns: ['arn:td/crystal:5'] });
    ecsMock.on(ListTaskDefinitionsCommand, { status: 'ACTIVE' }).resolves({ taskDefinitionArns: ['arn:td/crystal:1'] });
    expect(await api().listTaskDefinitions('crystal', 'INACTIVE')).toEqual(['arn:td/crystal:2', 'arn:td/crystal:5']);
    expect(await api().listTaskDefinitions('crystal')).toEqual(['arn:td/crystal:1']);
    expect(ecsMock).toHaveReceivedCommandWith(ListTaskDefinitionsCommand, { familyPrefix: 'crystal', status: 'INACTIVE', nextToken: 'p2' });
  });

  it('describes tasks in batches of 100', async () => {
    const arns = Array.from({ length: 250 }, (_, i) => `t${i}`);
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: input.tasks.map((taskArn) => ({ taskArn })) }));
    const tasks = await api().describeTasks('c', arns);
    expect(tasks).toHaveLength(250);
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 3);
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks!.length)).toEqual([100, 100, 50]);
  });

  it('makes no DescribeTasks call for no tasks', async () => {
    expect(await api().describeTasks('c', [])).toEqual([]);
    expect(ecsMock).not.toHaveReceivedCommand(DescribeTasksCommand);
  });

  it('turns a MISSING service into ServiceNotFoundException with a hint', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'arn:svc/nope', reason: 'MISSING' }] });
    const err = await api()
      .describeServices('c', 'nope')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ exitCode: 3, errorName: 'ServiceNotFoundException', operation: 'DescribeServices' });
    expect((err as Error).message).toMatch(/service "nope" in cluster "c" is MISSING; check --service and --cluster/);
  });

  it('translates a throttling error once, naming the operation and what to do', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, attempts: 5 },
    });
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(throttled);
    const err = await api()
      .registerTaskDefinition({ family: 'x', containerDefinitions: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as Error).message).toBe(
      'RegisterTaskDefinition failed after 5 attempts: ThrottlingException (HTTP 400): Rate exceeded; AWS throttled this call even after retries; wait a little and run the same command again',
    );
  });

  it('keeps credentials and signatures out of error messages', async () => {
    const leaky = Object.assign(
      new Error(
        'The request signature we calculated does not match. Credential=AKIAABCDEFGHIJKLMNOP/20261122 Signature=abc123 The Canonical String for this request should have been POST / secret',
      ),
      { name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } },
    );
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(leaky);
    const err = (await api()
      .describeTaskDefinition('x')
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/InvalidSignatureException/);
    expect(err.message).not.toMatch(/AKIAABCDEFGHIJKLMNOP|abc123|secret/);
  });
});

describe('a DescribeTaskDefinition answer meshctl cannot read', () => {
  it('is an AWS error naming the path, never a crash', async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { family: 'c', containerDefinitions: [{ name: 'app', portMappings: 'x' as never }] } });
    await expect(api().describeTaskDefinition('c')).rejects.toThrow(
      /answer is not a task definition meshctl can read: .*containerDefinitions\[0\]\.portMappings: must be a list/,
    );
  });
});
