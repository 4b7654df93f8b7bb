/** What a dry run says each step would do: the plans' shapes, the predicted revision, and their lines. */
import { parseTaskDefinitionRef } from './arn.js';
import { formatDuration } from './duration.js';

/** add-envoy's plan: the revision it would register (predicted), or the one that already has envoy. */
export interface AddEnvoyPlan {
  action: 'register' | 'unchanged';
  family: string;
  sourceTaskDefinitionArn: string | null;
  /** register: the revision RegisterTaskDefinition would create (null when it cannot be read offline); unchanged: the one read. */
  taskDefinitionArn: string | null;
  virtualNode: string;
  /** passed: DescribeVirtualNode found it; skipped: --skip-mesh-check; offline: --from-file --dry-run calls no AWS; null: nothing to register. */
  meshCheck: 'passed' | 'skipped' | 'offline' | null;
}

export interface UpdateServicePlan {
  cluster: string;
  service: string;
  /** The revision the service runs now. */
  currentTaskDefinitionArn: string | null;
  /** The revision UpdateService would point it at. */
  taskDefinitionArn: string;
  desiredCount: number | null;
}

export interface WaitRunningPlan {
  taskDefinitionArn: string;
  wanted: number;
  timeoutMs: number;
}

export interface VerifyPlan {
  instanceId: string;
  url: string;
  /** `name=value`, as --expect-header takes it. */
  expectHeader: string;
  timeoutMs: number;
}

/** Each step's plan by its camelCase name; null when the step is skipped (--from), not reached, or not checked. */
export interface RolloutPlan {
  addEnvoy: AddEnvoyPlan | null;
  updateService: UpdateServicePlan | null;
  waitRunning: WaitRunningPlan | null;
  verify: VerifyPlan | null;
}

export const emptyRolloutPlan = (): RolloutPlan => ({ addEnvoy: null, updateService: null, waitRunning: null, verify: null });

/**
 * The revision the next RegisterTaskDefinition of `family` gets: one past the highest number among the
 * family's listed revisions (ACTIVE and INACTIVE: ECS numbers a family's registrations in order and a
 * deregistered revision keeps its number), written as `source` is (an ARN, else family:N). A revision
 * registered by someone else in between makes it one more; it is a prediction, said as one.
 */
export function nextRevision(family: string, source: string | undefined, listed: readonly string[]): string {
  const numbers = [source, ...listed]
    .map((r) => (r === undefined ? undefined : parseTaskDefinitionRef(r)))
    .filter((r) => r?.family === family && r.revision !== undefined)
    .map((r) => r!.revision!);
  const next = Math.max(0, ...numbers) + 1;
  const arn = source === undefined ? undefined : /^(arn:[^:]+:ecs:[^:]*:\d*:task-definition\/)[^:/]+/.exec(source);
  return arn ? `${arn[1]}${family}:${next}` : `${family}:${next}`;
}

/** `family:rev` for an ARN (lines stay short; the JSON keeps the ARN). */
export function shortRevision(ref: string): string {
  const r = parseTaskDefinitionRef(ref);
  return r ? `${r.family}${r.revision === undefined ? '' : `:${r.revision}`}` : ref;
}

const MESH_CHECK: Record<NonNullable<AddEnvoyPlan['meshCheck']>, string> = {
  passed: 'its virtual node exists',
  skipped: 'virtual node not checked: --skip-mesh-check',
  offline: 'virtual node not checked: --from-file --dry-run calls no AWS; the real run checks it before registering',
};

/** One line per plan, as the step's detail: `would register crystal:2 (from crystal:1; its virtual node exists)`. */
export function addEnvoyPlanLine(p: AddEnvoyPlan): string {
  if (p.action === 'unchanged')
    return `unchanged: ${p.taskDefinitionArn ? shortRevision(p.taskDefinitionArn) : p.family} already has envoy`;
  const what = p.taskDefinitionArn ? shortRevision(p.taskDefinitionArn) : `a new revision of ${p.family}`;
  const from = p.sourceTaskDefinitionArn ? `from ${shortRevision(p.sourceTaskDefinitionArn)}; ` : '';
  return `would register ${what} (${from}${p.meshCheck ? MESH_CHECK[p.meshCheck] : 'nothing checked'})`;
}

export function updateServicePlanLine(p: UpdateServicePlan): string {
  const to = shortRevision(p.taskDefinitionArn);
  const now = p.currentTaskDefinitionArn ? shortRevision(p.currentTaskDefinitionArn) : undefined;
  return now === to
    ? `would point ${p.service} at ${to} (it runs it already)`
    : `would point ${p.service} at ${to}${now ? ` (now ${now})` : ''}`;
}

export function waitRunningPlanLine(p: WaitRunningPlan): string {
  return `would wait up to ${formatDuration(p.timeoutMs)} for ${p.wanted} task${p.wanted === 1 ? '' : 's'} of ${shortRevision(p.taskDefinitionArn)} to be RUNNING`;
}

export function verifyPlanLine(p: VerifyPlan): string {
  return `would curl ${p.url} from instance ${p.instanceId} through SSM, expecting ${p.expectHeader.replace('=', ': ')}`;
}
