import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import { AwsCallError } from '../errors.js';
import { sender } from './aws-error.js';
import { allPages } from './pages.js';
import { type AwsConfig, connectClient } from './client-config.js';

export interface Ec2Api {
  /** Running instances of an auto scaling group, found by the tag Auto Scaling puts on them (as the workshop does). */
  describeInstances(autoScalingGroup: string): Promise<string[]>;
  /** The names of the region's available Availability Zones (not Local or Wavelength Zones), for Fn::GetAZs. */
  describeAvailabilityZones(): Promise<string[]>;
  /** The Availability Zones that have a default subnet (DescribeSubnets default-for-az), following pages. */
  describeDefaultSubnetZones(): Promise<string[]>;
  /** A VPC; its id. (This and the next three: the sandbox's worlds.) */
  createVpc(cidrBlock: string): Promise<string>;
  /** Turns the VPC's DNS hostnames on (private DNS names need them). */
  modifyVpcAttribute(vpcId: string, attribute: { enableDnsHostnames: boolean }): Promise<void>;
  /** A subnet; its id. */
  createSubnet(vpcId: string, cidrBlock: string, availabilityZone?: string): Promise<string>;
  /** A security group; its id. */
  createSecurityGroup(groupName: string, description: string, vpcId: string): Promise<string>;
}

const created = (operation: string, id: string | undefined): string => {
  if (!id) throw new AwsCallError(operation, 'EmptyResponse', undefined, `${operation} returned no id`);
  return id;
};

export function createEc2Api(client: EC2Client, endpoint?: string): Ec2Api {
  const send = sender(client, endpoint);
  return {
    describeInstances: (autoScalingGroup) =>
      allPages(async (NextToken) => {
        const Filters = [
          { Name: 'tag:aws:autoscaling:groupName', Values: [autoScalingGroup] },
          { Name: 'instance-state-name', Values: ['running'] },
        ];
        const out = await send('DescribeInstances', new DescribeInstancesCommand({ Filters, NextToken }));
        const ids = (out.Reservations ?? []).flatMap((r) =>
          (r.Instances ?? []).map((i) => i.InstanceId).filter((id): id is string => !!id),
        );
        return { items: ids, nextToken: out.NextToken };
      }),
    async describeAvailabilityZones() {
      const Filters = [
        { Name: 'state', Values: ['available'] },
        { Name: 'zone-type', Values: ['availability-zone'] },
      ];
      const out = await send('DescribeAvailabilityZones', new DescribeAvailabilityZonesCommand({ Filters }));
      return (out.AvailabilityZones ?? []).map((z) => z.ZoneName).filter((z): z is string => !!z);
    },
    async describeDefaultSubnetZones() {
      const zones = await allPages(async (NextToken) => {
        const Filters = [{ Name: 'default-for-az', Values: ['true'] }];
        const out = await send('DescribeSubnets', new DescribeSubnetsCommand({ Filters, NextToken }));
        return { items: (out.Subnets ?? []).map((s) => s.AvailabilityZone).filter((z): z is string => !!z), nextToken: out.NextToken };
      });
      return [...new Set(zones)];
    },
    async createVpc(CidrBlock) {
      return created('CreateVpc', (await send('CreateVpc', new CreateVpcCommand({ CidrBlock }))).Vpc?.VpcId);
    },
    async modifyVpcAttribute(VpcId, attribute) {
      await send(
        'ModifyVpcAttribute',
        new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: attribute.enableDnsHostnames } }),
      );
    },
    async createSubnet(VpcId, CidrBlock, AvailabilityZone) {
      const out = await send('CreateSubnet', new CreateSubnetCommand({ VpcId, CidrBlock, AvailabilityZone }));
      return created('CreateSubnet', out.Subnet?.SubnetId);
    },
    async createSecurityGroup(GroupName, Description, VpcId) {
      const out = await send('CreateSecurityGroup', new CreateSecurityGroupCommand({ GroupName, Description, VpcId }));
      return created('CreateSecurityGroup', out.GroupId);
    },
  };
}

export function connectEc2(config: AwsConfig): Ec2Api {
  return createEc2Api(connectClient(EC2Client, 'ec2', config), config.endpointUrl);
}
