import type { CreateServiceCommandInput, Service, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import type { Action, CreateTargetGroupInput, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { nameOfArn } from '../arn.js';

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

/** Why `green` cannot be blue's green before anything is read: it is blue itself (an ARN for blue is read as its name). */
export function greenNameProblem(blue: string, green: string): string | undefined {
  if (green !== nameOfArn(blue)) return undefined;
  return `--green-name: "${green}" is the blue service itself; green is a second service that blue/green creates beside blue: pass another name`;
}

// ---- meshctl's mark: what blue/green created, and for which pair

/** Who created it: every green service and target group blue/green makes carries `meshctl:created-by=meshctl`. */
export const CREATED_BY_TAG = 'meshctl:created-by';
export const CREATED_BY = 'meshctl';
/** The blue service a green stands in for (how status, finish and abort find the pair). */
export const BLUE_TAG = 'meshctl:blue-green-of';
/** The green service the mark belongs to, and its cluster's name (a target group is the region's, not the cluster's). */
export const GREEN_TAG = 'meshctl:green';
export const CLUSTER_TAG = 'meshctl:cluster';

/** One blue/green pair: the cluster (a name or ARN), blue's and green's service names. */
export interface Pair {
  cluster: string;
  blue: string;
  green: string;
}

/** The mark blue/green puts on what it creates for the pair, as key → value. */
export function pairMark(p: Pair): Record<string, string> {
  return { [CREATED_BY_TAG]: CREATED_BY, [CLUSTER_TAG]: nameOfArn(p.cluster), [BLUE_TAG]: nameOfArn(p.blue), [GREEN_TAG]: p.green };
}

/** Tags as key → value, from ECS's `{ key, value }` or Elastic Load Balancing's `{ Key, Value }`. */
export function tagsOf(
  tags: readonly ({ key?: string; value?: string } | { Key?: string; Value?: string })[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    const key = 'key' in t ? t.key : 'Key' in t ? t.Key : undefined;
    const value = 'value' in t ? t.value : 'Value' in t ? t.Value : undefined;
    if (key !== undefined) out[key] = value ?? '';
  }
  return out;
}

/**
 * Why meshctl must leave `what` (green's service or target group, found by name) alone, or undefined when
 * it carries meshctl's mark for this very pair. A service's cluster is its own, so only a target group's
 * cluster is compared; a mark without the cluster or green tag (none is ever written so) counts as foreign.
 */
export function markProblem(
  what: string,
  tags: Readonly<Record<string, string>>,
  p: Pair,
  kind: 'service' | 'target group',
): string | undefined {
  const leave = 'meshctl changes and deletes only what it created for this pair, so it is left as it is; pass another --green-name';
  if (tags[CREATED_BY_TAG] !== CREATED_BY)
    return `${what} exists but meshctl did not create it (it has no ${CREATED_BY_TAG}=${CREATED_BY} tag); ${leave}`;
  const want = pairMark(p);
  const differs = [BLUE_TAG, GREEN_TAG, ...(kind === 'target group' ? [CLUSTER_TAG] : [])].filter((k) => tags[k] !== want[k]);
  if (differs.length === 0) return undefined;
  const theirs = `blue ${tags[BLUE_TAG] ?? '?'}, green ${tags[GREEN_TAG] ?? '?'}${kind === 'target group' ? ` in cluster ${tags[CLUSTER_TAG] ?? '?'}` : ''}`;
  return `${what} was created by meshctl for another blue/green pair (${theirs}), not for ${want[BLUE_TAG]} → ${p.green}; ${leave}`;
}

/** The tags green's service is created with: blue's own (not AWS's `aws:` ones nor an older mark), then meshctl's mark. */
export function greenServiceTags(
  blueTags: readonly { key?: string; value?: string }[] | undefined,
  p: Pair,
): { key: string; value: string }[] {
  const mark = Object.entries(pairMark(p)).map(([key, value]) => ({ key, value }));
  const own = (blueTags ?? []).filter((t): t is { key: string; value: string } => !!t.key && !/^(aws|meshctl):/i.test(t.key));
  // ECS takes at most 50 tags a resource: the mark always fits, blue's own as far as they go.
  return [...own.slice(0, ECS_MAX_TAGS - mark.length), ...mark];
}

const ECS_MAX_TAGS = 50;

/**
 * The blue/green pairs of a cluster, from its services and their tags: each service that carries
 * meshctl's mark for itself as green, beside the blue it names. Others are not pairs, whatever their names.
 */
export function pairsOf(cluster: string, services: readonly { serviceName?: string; tags?: { key?: string; value?: string }[] }[]): Pair[] {
  const names = new Set(services.map((s) => s.serviceName));
  const pairs: Pair[] = [];
  for (const s of services) {
    const tags = tagsOf(s.tags);
    const blue = tags[BLUE_TAG];
    if (!s.serviceName || !blue || blue === s.serviceName || !names.has(blue)) continue;
    const pair = { cluster, blue, green: s.serviceName };
    if (!markProblem('', tags, pair, 'service')) pairs.push(pair);
  }
  return pairs.sort((a, b) => a.blue.localeCompare(b.blue) || a.green.localeCompare(b.green));
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable suffix (not a secret, and core has no node:crypto). */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Green's target group's name, from the pair's green (not blue's group): green's name made a target
 * group name (letters, digits, single hyphens) cut to 23 characters, then a hash of cluster and green,
 * so that two greens, or one green name in two clusters, never share one (32 characters at most).
 */
export function greenTargetGroupName(cluster: string, green: string): string {
  const base = green
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '')
    .slice(0, 23)
    .replace(/-+$/, '');
  return `${base || 'green'}-${shortHash(`${nameOfArn(cluster)}/${green}`)}`;
}

/** A target group like the blue one (protocol, port, VPC, health check), with target type `ip` as awsvpc tasks need, and meshctl's mark. */
export function planGreenTargetGroup(blue: TargetGroup, p: Pair): CreateTargetGroupInput {
  const input: CreateTargetGroupInput = {
    Name: greenTargetGroupName(p.cluster, p.green),
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
    Tags: Object.entries(pairMark(p)).map(([Key, Value]) => ({ Key, Value })),
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
 * rollback on), tags (plus meshctl's mark), health-check grace, the green target group, Service Connect.
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
    tags: greenServiceTags(blue.tags, { cluster: g.cluster, blue: blue.serviceName ?? '', green: g.greenName }),
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
