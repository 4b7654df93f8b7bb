import type { CreateServiceCommandInput, Service, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import type { Action, CreateTargetGroupInput, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';

/*
 * Blue/green off App Mesh, as AWS's migration guide recommends: the blue service (App Mesh) keeps
 * running; a green service `<name>-sc` runs the migrated revision under Service Connect; traffic moves
 * at the edge (a weighted ALB forward) in steps; the way back is shifting the weight back. Everything
 * here is pure: described state in, the inputs to send out.
 */

/** A target group name: 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen. */
export const TARGET_GROUP_NAME = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/;

/** The green service's name: `--green-name`, else `<blue>-sc`. ECS service names: up to 255 of letters, digits, `-`, `_`. */
export function greenNameOf(blue: string, override?: string): string {
  return override ?? `${blue}-sc`;
}

/** The green target group's name: the blue one's, cut so that `-sc` fits in 32 characters. */
export function greenTargetGroupName(blueName: string): string {
  const base = blueName.slice(0, 29).replace(/-+$/, '');
  return `${base || 'tg'}-sc`;
}

/** A target group like the blue one (protocol, port, VPC, health check), with target type `ip` as awsvpc tasks need. */
export function planGreenTargetGroup(blue: TargetGroup, tags: { Key: string; Value: string }[] = []): CreateTargetGroupInput {
  const input: CreateTargetGroupInput = {
    Name: greenTargetGroupName(blue.TargetGroupName ?? 'tg'),
    Protocol: blue.Protocol,
    ProtocolVersion: blue.ProtocolVersion,
    Port: blue.Port,
    VpcId: blue.VpcId,
    TargetType: 'ip',
    HealthCheckEnabled: blue.HealthCheckEnabled,
    HealthCheckProtocol: blue.HealthCheckProtocol,
    HealthCheckPort: blue.HealthCheckPort,
    HealthCheckPath: blue.HealthCheckPath,
    HealthCheckIntervalSeconds: blue.HealthCheckIntervalSeconds,
    HealthCheckTimeoutSeconds: blue.HealthCheckTimeoutSeconds,
    HealthyThresholdCount: blue.HealthyThresholdCount,
    UnhealthyThresholdCount: blue.UnhealthyThresholdCount,
    Matcher: blue.Matcher,
    ...(tags.length ? { Tags: tags } : {}),
  };
  for (const k of Object.keys(input) as (keyof CreateTargetGroupInput)[]) if (input[k] === undefined) delete input[k];
  return input;
}

/** Does this action send traffic to the target group (a plain forward, or a forward config that lists it)? */
export function forwardsTo(action: Action, targetGroupArn: string): boolean {
  if (action.Type !== 'forward') return false;
  return (
    action.TargetGroupArn === targetGroupArn || (action.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn === targetGroupArn)
  );
}

/** The green weight an action gives (0 to 100), or undefined when it forwards to neither as a pair. */
export function greenWeightOf(actions: readonly Action[], blueArn: string, greenArn: string): number | undefined {
  const forward = actions.find((a) => forwardsTo(a, blueArn) || forwardsTo(a, greenArn));
  if (!forward) return undefined;
  const groups =
    forward.ForwardConfig?.TargetGroups ?? (forward.TargetGroupArn ? [{ TargetGroupArn: forward.TargetGroupArn, Weight: 1 }] : []);
  const weight = (arn: string) => groups.filter((g) => g.TargetGroupArn === arn).reduce((n, g) => n + (g.Weight ?? 1), 0);
  const blue = weight(blueArn);
  const green = weight(greenArn);
  if (blue + green === 0) return 0;
  return Math.round((100 * green) / (blue + green));
}

/**
 * The actions with the forward to blue (and green) made a weighted forward: blue 100-w, green w. Other
 * actions (authentication before the forward, say) are kept; stickiness is kept.
 */
export function weightedForward(actions: readonly Action[], blueArn: string, greenArn: string, greenWeight: number): Action[] {
  if (!Number.isInteger(greenWeight) || greenWeight < 0 || greenWeight > 100)
    throw new RangeError(`a weight is 0 to 100, got ${greenWeight}`);
  return actions.map((a) => {
    if (!(forwardsTo(a, blueArn) || forwardsTo(a, greenArn))) return a;
    const { TargetGroupArn: _plain, ...rest } = a;
    return {
      ...rest,
      Type: 'forward',
      ForwardConfig: {
        ...a.ForwardConfig,
        TargetGroups: [
          { TargetGroupArn: blueArn, Weight: 100 - greenWeight },
          { TargetGroupArn: greenArn, Weight: greenWeight },
        ],
      },
    };
  });
}

/** The actions with the forward made a plain forward to one target group again (finish: green; abort: blue). */
export function plainForward(actions: readonly Action[], blueArn: string, greenArn: string, to: string): Action[] {
  return actions.map((a) => {
    if (!(forwardsTo(a, blueArn) || forwardsTo(a, greenArn))) return a;
    const { ForwardConfig: _config, ...rest } = a;
    return { ...rest, Type: 'forward', TargetGroupArn: to };
  });
}

/** `--shift 10,50,100`: ascending whole percentages from 1 to 100, ending at 100. Returns the problem, or the steps. */
export function parseShift(value: string): { steps: number[] } | { problem: string } {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d{1,3}$/.test(p))) return { problem: `"${value}" is not a list of whole percentages like 10,50,100` };
  const steps = parts.map(Number);
  if (steps.some((s) => s < 1 || s > 100)) return { problem: `"${value}": each step is from 1 to 100` };
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!)) return { problem: `"${value}": the steps must rise` };
  if (steps[steps.length - 1] !== 100) return { problem: `"${value}": the last step must be 100, so that green ends with all the traffic` };
  return { steps };
}

/** What the green service is created with: the blue one's set-up, the migrated revision, Service Connect. */
export interface GreenInput {
  cluster: string;
  greenName: string;
  taskDefinitionArn: string;
  serviceConnectConfiguration?: ServiceConnectConfiguration;
  /** The green target group and the container/port the blue service registers in its own. */
  loadBalancer?: { targetGroupArn: string; containerName?: string; containerPort?: number };
}

/**
 * CreateService input for green: the blue service's network configuration, capacity provider or launch
 * type, platform version, desired count, deployment configuration (with the circuit breaker and its
 * rollback on), tags (plus meshctl's own), health-check grace, the green target group, Service Connect.
 * Cloud Map serviceRegistries are not copied: green would register under blue's name.
 */
export function planGreenService(blue: Service, g: GreenInput): CreateServiceCommandInput {
  const dc = blue.deploymentConfiguration;
  const input: CreateServiceCommandInput = {
    cluster: g.cluster,
    serviceName: g.greenName,
    taskDefinition: g.taskDefinitionArn,
    desiredCount: blue.desiredCount ?? 1,
    ...(blue.capacityProviderStrategy?.length
      ? { capacityProviderStrategy: blue.capacityProviderStrategy }
      : { launchType: blue.launchType }),
    ...(blue.platformVersion ? { platformVersion: blue.platformVersion } : {}),
    ...(blue.networkConfiguration ? { networkConfiguration: blue.networkConfiguration } : {}),
    deploymentConfiguration: {
      ...(dc?.maximumPercent !== undefined ? { maximumPercent: dc.maximumPercent } : {}),
      ...(dc?.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: dc.minimumHealthyPercent } : {}),
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    ...(blue.healthCheckGracePeriodSeconds !== undefined && g.loadBalancer
      ? { healthCheckGracePeriodSeconds: blue.healthCheckGracePeriodSeconds }
      : {}),
    ...(blue.enableECSManagedTags !== undefined ? { enableECSManagedTags: blue.enableECSManagedTags } : {}),
    ...(blue.propagateTags ? { propagateTags: blue.propagateTags } : {}),
    tags: [...(blue.tags ?? []).filter((t) => t.key !== BLUE_TAG), { key: BLUE_TAG, value: blue.serviceName ?? '' }],
    ...(g.loadBalancer
      ? {
          loadBalancers: [
            {
              targetGroupArn: g.loadBalancer.targetGroupArn,
              containerName: g.loadBalancer.containerName,
              containerPort: g.loadBalancer.containerPort,
            },
          ],
        }
      : {}),
    ...(g.serviceConnectConfiguration ? { serviceConnectConfiguration: g.serviceConnectConfiguration } : {}),
  };
  if (input.launchType === undefined) delete input.launchType;
  return input;
}

/** The tag green carries: the blue service it stands in for (how status, finish and abort find the pair). */
export const BLUE_TAG = 'meshctl:blue';

export type PairState = 'blue-only' | 'green-starting' | 'shifting' | 'green-only' | 'finished';

/** What was read of one blue/green pair. */
export interface PairFacts {
  blueExists: boolean;
  greenExists: boolean;
  /** Green's running tasks of its revision, and its desired count. */
  greenRunning: number;
  greenDesired: number;
  /** The green weight at the edge, when there is an edge (ALB) to read. */
  greenWeight?: number;
}

/** The state of a pair, from what exists: blue only, green starting, shifting N%, green only, finished. */
export function pairState(f: PairFacts): { state: PairState; weight?: number } {
  if (!f.greenExists) return { state: 'blue-only' };
  if (!f.blueExists) return { state: 'finished', weight: 100 };
  if (f.greenRunning < Math.max(1, f.greenDesired)) return { state: 'green-starting', weight: f.greenWeight ?? 0 };
  if (f.greenWeight === undefined) return { state: 'green-only' };
  if (f.greenWeight >= 100) return { state: 'green-only', weight: 100 };
  return { state: 'shifting', weight: f.greenWeight };
}

/** The shift steps still to take from `weight`: those above it. */
export function stepsLeft(steps: readonly number[], weight: number): number[] {
  return steps.filter((s) => s > weight);
}
