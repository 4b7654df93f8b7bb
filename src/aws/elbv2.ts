import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action,
  type CreateListenerInput,
  type CreateLoadBalancerInput,
  type CreateTargetGroupInput,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsCallError } from '../errors.js';
import { sender, unlessNotFound } from './aws-error.js';
import { allPages } from './pages.js';
import { type AwsConfig, connectClient } from './client-config.js';

/** The Elastic Load Balancing v2 calls meshctl makes, named after their operations. */
export interface Elbv2Api {
  /** The target groups, with the load balancers that forward to each. */
  describeTargetGroups(arns: readonly string[]): Promise<{ arn: string; loadBalancerArns: string[] }[]>;
  /** The load balancers, with their DNS names. */
  describeLoadBalancers(arns: readonly string[]): Promise<{ arn: string; dnsName?: string }[]>;
  /** Target groups with every field (for a green one like blue), by ARN. */
  describeTargetGroupsFull(arns: readonly string[]): Promise<TargetGroup[]>;
  /** The target group of that name, or undefined. */
  findTargetGroup(name: string): Promise<TargetGroup | undefined>;
  /** Creates a target group; ELB answers with the existing one when one of that name has the same settings. */
  createTargetGroup(input: CreateTargetGroupInput): Promise<TargetGroup>;
  /** The tags of each resource (target groups here), as key → value, by ARN. */
  describeTags(arns: readonly string[]): Promise<Map<string, Record<string, string>>>;
  deleteTargetGroup(arn: string): Promise<void>;
  /** A load balancer's listeners with their default actions. */
  describeListeners(loadBalancerArn: string): Promise<{ arn: string; defaultActions: Action[] }[]>;
  /** A listener's rules (the default one included) with their actions. */
  describeRules(listenerArn: string): Promise<{ arn: string; isDefault: boolean; actions: Action[] }[]>;
  modifyListener(listenerArn: string, defaultActions: Action[]): Promise<void>;
  modifyRule(ruleArn: string, actions: Action[]): Promise<void>;
  /** A load balancer (the sandbox's workshop ALB); its ARN and DNS name. */
  createLoadBalancer(input: CreateLoadBalancerInput): Promise<{ arn: string; dnsName: string }>;
  /** A listener; its ARN. */
  createListener(input: CreateListenerInput): Promise<string>;
}

/** DescribeTargetGroups and DescribeLoadBalancers take at most 20 ARNs a call. */
export const ELBV2_ARN_BATCH = 20;

export function createElbv2Api(client: ElasticLoadBalancingV2Client, endpoint?: string): Elbv2Api {
  const send = sender(client, endpoint);
  const batches = (arns: readonly string[]) =>
    Array.from({ length: Math.ceil(arns.length / ELBV2_ARN_BATCH) }, (_, i) => arns.slice(i * ELBV2_ARN_BATCH, (i + 1) * ELBV2_ARN_BATCH));
  return {
    async describeTargetGroupsFull(arns) {
      const out: TargetGroup[] = [];
      for (const TargetGroupArns of batches(arns))
        out.push(...((await send('DescribeTargetGroups', new DescribeTargetGroupsCommand({ TargetGroupArns }))).TargetGroups ?? []));
      return out;
    },
    async findTargetGroup(name) {
      const out = await unlessNotFound(send('DescribeTargetGroups', new DescribeTargetGroupsCommand({ Names: [name] })));
      return out?.TargetGroups?.[0];
    },
    async createLoadBalancer(input) {
      const lb = (await send('CreateLoadBalancer', new CreateLoadBalancerCommand(input))).LoadBalancers?.[0];
      if (!lb?.LoadBalancerArn || !lb.DNSName)
        throw new AwsCallError('CreateLoadBalancer', 'EmptyResponse', undefined, 'CreateLoadBalancer returned no load balancer');
      return { arn: lb.LoadBalancerArn, dnsName: lb.DNSName };
    },
    async createListener(input) {
      const arn = (await send('CreateListener', new CreateListenerCommand(input))).Listeners?.[0]?.ListenerArn;
      if (!arn) throw new AwsCallError('CreateListener', 'EmptyResponse', undefined, 'CreateListener returned no listener');
      return arn;
    },
    async createTargetGroup(input) {
      const out = await send('CreateTargetGroup', new CreateTargetGroupCommand(input));
      return out.TargetGroups![0]!;
    },
    async describeTags(arns) {
      const out = new Map<string, Record<string, string>>();
      for (const ResourceArns of batches(arns)) {
        const page = await send('DescribeTags', new DescribeTagsCommand({ ResourceArns }));
        for (const d of page.TagDescriptions ?? [])
          if (d.ResourceArn) out.set(d.ResourceArn, Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])));
      }
      return out;
    },
    async deleteTargetGroup(TargetGroupArn) {
      await send('DeleteTargetGroup', new DeleteTargetGroupCommand({ TargetGroupArn }));
    },
    async describeListeners(LoadBalancerArn) {
      const all = await allPages(async (Marker) => {
        const out = await send('DescribeListeners', new DescribeListenersCommand({ LoadBalancerArn, Marker }));
        return { items: out.Listeners ?? [], nextToken: out.NextMarker };
      });
      return all.map((l) => ({ arn: l.ListenerArn!, defaultActions: l.DefaultActions ?? [] }));
    },
    async describeRules(ListenerArn) {
      const all = await allPages(async (Marker) => {
        const out = await send('DescribeRules', new DescribeRulesCommand({ ListenerArn, Marker }));
        return { items: out.Rules ?? [], nextToken: out.NextMarker };
      });
      return all.map((r) => ({ arn: r.RuleArn!, isDefault: r.IsDefault === true, actions: r.Actions ?? [] }));
    },
    async modifyListener(ListenerArn, DefaultActions) {
      await send('ModifyListener', new ModifyListenerCommand({ ListenerArn, DefaultActions }));
    },
    async modifyRule(RuleArn, Actions) {
      await send('ModifyRule', new ModifyRuleCommand({ RuleArn, Actions }));
    },
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
  return createElbv2Api(connectClient(ElasticLoadBalancingV2Client, 'elbv2', config), config.endpointUrl);
}
