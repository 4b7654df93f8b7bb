import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { sender } from './aws-error.js';
import { addCallLogging, clientOptions, type AwsConfig } from './client-config.js';

/** The Elastic Load Balancing v2 calls meshctl makes, named after their operations. */
export interface Elbv2Api {
  /** The target groups, with the load balancers that forward to each. */
  describeTargetGroups(arns: readonly string[]): Promise<{ arn: string; loadBalancerArns: string[] }[]>;
  /** The load balancers, with their DNS names. */
  describeLoadBalancers(arns: readonly string[]): Promise<{ arn: string; dnsName?: string }[]>;
}

/** DescribeTargetGroups and DescribeLoadBalancers take at most 20 ARNs a call. */
export const ELBV2_ARN_BATCH = 20;

export function createElbv2Api(client: ElasticLoadBalancingV2Client, endpoint?: string): Elbv2Api {
  const send = sender(client, endpoint);
  const batches = (arns: readonly string[]) =>
    Array.from({ length: Math.ceil(arns.length / ELBV2_ARN_BATCH) }, (_, i) => arns.slice(i * ELBV2_ARN_BATCH, (i + 1) * ELBV2_ARN_BATCH));
  return {
    async describeTargetGroups(arns) {
      const out = [];
      for (const TargetGroupArns of batches(arns)) {
        const page = await send('DescribeTargetGroups', new DescribeTargetGroupsCommand({ TargetGroupArns }));
        out.push(...(page.TargetGroups ?? []).map((g) => ({ arn: g.TargetGroupArn!, loadBalancerArns: g.LoadBalancerArns ?? [] })));
      }
      return out;
    },
    async describeLoadBalancers(arns) {
      const out = [];
      for (const LoadBalancerArns of batches(arns)) {
        const page = await send('DescribeLoadBalancers', new DescribeLoadBalancersCommand({ LoadBalancerArns }));
        out.push(...(page.LoadBalancers ?? []).map((b) => ({ arn: b.LoadBalancerArn!, dnsName: b.DNSName })));
      }
      return out;
    },
  };
}

export function connectElbv2(config: AwsConfig): Elbv2Api {
  const client = new ElasticLoadBalancingV2Client(clientOptions(config));
  addCallLogging(client as never, 'elbv2', config.log);
  return createElbv2Api(client, config.endpointUrl);
}
