import { AppMeshClient, DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMeshResourceApi } from '../../src/aws/mesh-resources.js';
import { createAppMeshApi } from '../../src/aws/app-mesh.js';
import { createEc2Api } from '../../src/aws/ec2.js';
import { createSsmApi } from '../../src/aws/ssm.js';
import { AwsCallError } from '../../src/errors.js';

const config = { region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
const ssmMock = mockClient(SSMClient);
const ec2Mock = mockClient(EC2Client);
const meshMock = mockClient(AppMeshClient);

beforeEach(() => {
  ssmMock.reset();
  ec2Mock.reset();
  meshMock.reset();
});

const named = (name: string, status = 400) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('SsmApi', () => {
  it('sends the commands as AWS-RunShellScript on one instance', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    expect(await createSsmApi(new SSMClient(config)).sendCommand('i-1', ['echo hi'], 60)).toBe('cmd-1');
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      InstanceIds: ['i-1'],
      DocumentName: 'AWS-RunShellScript',
      Parameters: { commands: ['echo hi'], executionTimeout: ['60'] },
    });
  });

  it('treats InvocationDoesNotExist right after SendCommand as not visible yet', async () => {
    ssmMock
      .on(GetCommandInvocationCommand)
      .rejectsOnce(named('InvocationDoesNotExist'))
      .resolves({ Status: 'Success', StandardOutputContent: 'out' });
    const ssm = createSsmApi(new SSMClient(config));
    expect((await ssm.getCommandInvocation('cmd-1', 'i-1')).status).toBe('NotYetVisible');
    expect(await ssm.getCommandInvocation('cmd-1', 'i-1')).toEqual({
      status: 'Success',
      responseCode: undefined,
      stdout: 'out',
      stderr: '',
    });
  });

  it('translates other errors', async () => {
    ssmMock.on(GetCommandInvocationCommand).rejects(named('AccessDeniedException'));
    await expect(createSsmApi(new SSMClient(config)).getCommandInvocation('c', 'i')).rejects.toBeInstanceOf(AwsCallError);
  });
});

describe('Ec2Api', () => {
  it('finds running instances of the group by its tag, over pages', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-1' }] }], NextToken: 'n' })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-2' }, { InstanceId: 'i-3' }] }] });
    expect(await createEc2Api(new EC2Client(config)).describeInstances('asg-1')).toEqual(['i-1', 'i-2', 'i-3']);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:aws:autoscaling:groupName', Values: ['asg-1'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    });
  });
});

describe('AppMeshApi', () => {
  it.each([
    ['NotFoundException', 404],
    ['VirtualNodeNotFound', 400],
    ['MeshNotFound', 400],
  ])('reads %s as "no such node"', async (name, status) => {
    meshMock.on(DescribeVirtualNodeCommand).rejects(named(name, status));
    expect(await createAppMeshApi(createMeshResourceApi(new AppMeshClient(config))).describeVirtualNode('m', 'n')).toBeUndefined();
  });

  it('returns the node when it exists', async () => {
    meshMock
      .on(DescribeVirtualNodeCommand, { meshName: 'm', virtualNodeName: 'n' })
      .resolves({ virtualNode: { metadata: { arn: 'arn:vn' }, status: { status: 'ACTIVE' } } as never });
    expect(await createAppMeshApi(createMeshResourceApi(new AppMeshClient(config))).describeVirtualNode('m', 'n')).toEqual({
      arn: 'arn:vn',
      status: 'ACTIVE',
      spec: {},
    });
  });

  it('passes access denied on as an AWS error', async () => {
    meshMock.on(DescribeVirtualNodeCommand).rejects(named('ForbiddenException', 403));
    await expect(createAppMeshApi(createMeshResourceApi(new AppMeshClient(config))).describeVirtualNode('m', 'n')).rejects.toThrow(
      /DescribeVirtualNode failed: ForbiddenException \(HTTP 403\)/,
    );
  });
});
