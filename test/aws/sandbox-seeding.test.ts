import { AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateServiceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAutoScalingApi } from '../../src/aws/auto-scaling.js';
import { clientOptions } from '../../src/aws/client-config.js';
import { createEc2Api } from '../../src/aws/ec2.js';
import { createEcsApi } from '../../src/aws/ecs.js';
import { createElbv2Api } from '../../src/aws/elbv2.js';
import { createIamApi } from '../../src/aws/iam.js';
import { createRoute53Api } from '../../src/aws/route53.js';
import { createServiceDiscoveryApi } from '../../src/aws/service-discovery.js';
import { AwsCallError } from '../../src/errors.js';
import { sandboxAws } from '../../src/sandbox/aws.js';

// The calls the sandbox's worlds and its scheduler stand-in make through meshctl's AWS layer.
const config = { region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
const ec2 = mockClient(EC2Client);
const ecs = mockClient(ECSClient);
const asg = mockClient(AutoScalingClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const iam = mockClient(IAMClient);
const r53 = mockClient(Route53Client);
const sd = mockClient(ServiceDiscoveryClient);

beforeEach(() => {
  for (const m of [ec2, ecs, asg, elb, iam, r53, sd]) m.reset();
});

describe('the calls that seed a sandbox world', () => {
  it('EC2: a VPC with DNS hostnames, a subnet, a security group; their ids', async () => {
    ec2.on(CreateVpcCommand).resolves({ Vpc: { VpcId: 'vpc-1' } });
    ec2.on(CreateSubnetCommand).resolves({ Subnet: { SubnetId: 'subnet-1' } });
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-1' });
    const api = createEc2Api(new EC2Client(config));
    expect(await api.createVpc('10.0.0.0/16')).toBe('vpc-1');
    await api.modifyVpcAttribute('vpc-1', { enableDnsHostnames: true });
    expect(await api.createSubnet('vpc-1', '10.0.2.0/24', 'us-west-2b')).toBe('subnet-1');
    expect(await api.createSecurityGroup('crystal', 'crystal', 'vpc-1')).toBe('sg-1');
    expect(ec2).toHaveReceivedCommandWith(ModifyVpcAttributeCommand, { VpcId: 'vpc-1', EnableDnsHostnames: { Value: true } });
    expect(ec2).toHaveReceivedCommandWith(CreateSubnetCommand, {
      VpcId: 'vpc-1',
      CidrBlock: '10.0.2.0/24',
      AvailabilityZone: 'us-west-2b',
    });
  });

  it('EC2: an answer without the id is an AwsCallError naming the operation, not a crash later', async () => {
    ec2.on(CreateVpcCommand).resolves({});
    await expect(createEc2Api(new EC2Client(config)).createVpc('10.0.0.0/16')).rejects.toThrow(AwsCallError);
    await expect(createEc2Api(new EC2Client(config)).createVpc('10.0.0.0/16')).rejects.toThrow(/^CreateVpc returned no id$/);
  });

  it('ECS: a cluster, tasks run and stopped with the reason ECS shows', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 't1' }, { taskArn: 't2' }] });
    const api = createEcsApi(new ECSClient(config));
    await api.createCluster('appmesh-workshop');
    expect((await api.runTask({ cluster: 'c', taskDefinition: 'td:1', count: 2, group: 'service:s' })).map((t) => t.taskArn)).toEqual([
      't1',
      't2',
    ]);
    await api.stopTask('c', 't1', 'Essential container in task exited');
    expect(ecs).toHaveReceivedCommandWith(CreateClusterCommand, { clusterName: 'appmesh-workshop' });
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: 'c', task: 't1', reason: 'Essential container in task exited' });
  });

  it('Auto Scaling, IAM: the launch configuration and group, the role with its trust policy and a managed policy', async () => {
    await createAutoScalingApi(new AutoScalingClient(config)).createLaunchConfiguration({ LaunchConfigurationName: 'ruby' });
    await createAutoScalingApi(new AutoScalingClient(config)).createAutoScalingGroup({ AutoScalingGroupName: 'g', MinSize: 2, MaxSize: 2 });
    expect(asg).toHaveReceivedCommandWith(CreateLaunchConfigurationCommand, { LaunchConfigurationName: 'ruby' });
    expect(asg).toHaveReceivedCommandWith(CreateAutoScalingGroupCommand, { AutoScalingGroupName: 'g' });
    const trust = { Version: '2012-10-17', Statement: [] };
    await createIamApi(new IAMClient(config)).createRole('r', trust);
    await createIamApi(new IAMClient(config)).attachRolePolicy('r', 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess');
    expect(iam).toHaveReceivedCommandWith(CreateRoleCommand, { RoleName: 'r', AssumeRolePolicyDocument: JSON.stringify(trust) });
    expect(iam).toHaveReceivedCommandWith(AttachRolePolicyCommand, { RoleName: 'r' });
  });

  it('ELBv2, Route 53, Cloud Map: the ALB and its listener, the private zone, a Cloud Map service with its ARN', async () => {
    elb.on(CreateLoadBalancerCommand).resolves({ LoadBalancers: [{ LoadBalancerArn: 'arn:lb', DNSName: 'lb.example' }] });
    elb.on(CreateListenerCommand).resolves({ Listeners: [{ ListenerArn: 'arn:listener' }] });
    r53.on(CreateHostedZoneCommand).resolves({ HostedZone: { Id: '/hostedzone/Z1', Name: 'z.', CallerReference: 'w' } } as never);
    sd.on(CreateServiceCommand).resolves({ Service: { Id: 'srv-1', Arn: 'arn:srv-1' } });
    const lbs = createElbv2Api(new ElasticLoadBalancingV2Client(config));
    expect(await lbs.createLoadBalancer({ Name: 'IntLB' })).toEqual({ arn: 'arn:lb', dnsName: 'lb.example' });
    expect(await lbs.createListener({ LoadBalancerArn: 'arn:lb', DefaultActions: [] })).toBe('arn:listener');
    expect(await createRoute53Api(new Route53Client(config)).createHostedZone('z', { vpcId: 'vpc-1', region: 'us-west-2' }, 'w')).toBe(
      'Z1',
    );
    expect(r53).toHaveReceivedCommandWith(CreateHostedZoneCommand, {
      Name: 'z',
      VPC: { VPCId: 'vpc-1', VPCRegion: 'us-west-2' },
      HostedZoneConfig: { PrivateZone: true },
    });
    expect(await createServiceDiscoveryApi(new ServiceDiscoveryClient(config)).createService('payments', 'ns-1')).toEqual({
      id: 'srv-1',
      arn: 'arn:srv-1',
    });
  });
});

describe("the sandbox's clients", () => {
  it("are meshctl's one factory, with the sandbox's region and dummy key pair: never the user's credentials", async () => {
    expect(clientOptions({ credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })).toMatchObject({
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    expect(clientOptions({})).not.toHaveProperty('credentials');
    const aws = sandboxAws('http://127.0.0.1:5999');
    expect(sandboxAws('http://127.0.0.1:5999')).toBe(aws);
    await (await aws.ecs()).createCluster('c');
    const sent = ecs.commandCalls(CreateClusterCommand)[0]!;
    const client = sent.thisValue as ECSClient;
    expect(await client.config.region()).toBe('us-west-2');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'testing', secretAccessKey: 'testing' });
    expect((await client.config.endpoint!()).hostname).toBe('127.0.0.1');
  });
});
