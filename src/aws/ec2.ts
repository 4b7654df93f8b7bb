import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { sender } from './aws-error.js';
import { allPages } from './pages.js';
import { addCallLogging, addRegionCheck, clientOptions, type AwsConfig } from './client-config.js';

export interface Ec2Api {
  /** Running instances of an auto scaling group, found by the tag Auto Scaling puts on them (as the workshop does). */
  describeInstances(autoScalingGroup: string): Promise<string[]>;
}

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
  };
}

export function connectEc2(config: AwsConfig): Ec2Api {
  const client = new EC2Client(clientOptions(config));
  addCallLogging(client as never, 'ec2', config.log);
  addRegionCheck(client as never, config);
  return createEc2Api(client, config.endpointUrl);
}
