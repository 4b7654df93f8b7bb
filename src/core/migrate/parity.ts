// ---- the parity table: per service, what came of each App Mesh setting ------------------------
//
// carried: Service Connect does the same, from a setting the plan sends; approximated: Service Connect does
// something close, by itself or from a setting that is not quite the same; lost: nothing on Service Connect
// does it. Every row says why and, where something would keep it, what.

import type { RouteDecl, VirtualNodeDecl } from '../mesh/file.js';
import { carrySettings, listenersOfNode, nodeDecls, tlsRoleProblems, type CarryInput } from './carry.js';
import { note, type Draft, type VirtualServiceReport } from './types.js';

export type ParityLevel = 'carried' | 'approximated' | 'lost';

export interface ParityRow {
  /** The App Mesh feature, with where it is set (`timeout (port 8080)`, `retry policy (route r1)`). */
  feature: string;
  /** What App Mesh did. */
  appMesh: string;
  /** What Service Connect does instead (the setting the plan sends, or what it does by itself). */
  serviceConnect: string;
  level: ParityLevel;
  why: string;
  /** What would keep it, where something would; null when nothing is missing. */
  keep: string | null;
}

/** The values of `migrate plan --fail-on`. */
export const FAIL_ON_LEVELS = ['lost', 'approximated'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

/** The rows that fail `--fail-on level`: lost fails lost; approximated fails approximated and lost, which is worse. */
export function failingRows<T extends { level: ParityLevel }>(rows: readonly T[], failOn: FailOn): T[] {
  return rows.filter((r) => r.level === 'lost' || (failOn === 'approximated' && r.level === 'approximated'));
}

const ms = (n: number) => (n % 1000 === 0 ? `${n / 1000} s` : `${n} ms`);
const dur = (d: { value: number; unit: string }) => `${d.value} ${d.unit}`;

/** A node's health checks, outlier detection and connection pools, and its routes' retry policies: Service Connect has its own. */
export function ownBehaviourRows(node: VirtualNodeDecl, routes: readonly RouteDecl[]): ParityRow[] {
  const rows: ParityRow[] = [];
  for (const l of listenersOfNode(node)) {
    const at = `port ${l.port}`;
    if (l.healthCheck) {
      const h = l.healthCheck;
      rows.push({
        feature: `health check (${at})`,
        appMesh: `${h.protocol}${h.path ? ` ${h.path}` : ''} every ${ms(h.intervalMillis)}, ${h.unhealthyThreshold} failures`,
        serviceConnect: "ECS health: the task's container health checks and the load balancer's, if any",
        level: 'approximated',
        why: "Service Connect's proxy does not probe the application",
        keep: 'a container healthCheck in the task definition (ECS replaces tasks it finds unhealthy)',
      });
    }
    if (l.outlierDetection) {
      const o = l.outlierDetection;
      rows.push({
        feature: `outlier detection (${at})`,
        appMesh: `${o.maxServerErrors} server errors in ${dur(o.interval)}: eject ${dur(o.baseEjectionDuration)}, at most ${o.maxEjectionPercent}%`,
        serviceConnect: 'its own outlier detection, with no setting',
        level: 'approximated',
        why: 'Service Connect ejects failing endpoints by its own thresholds',
        keep: null,
      });
    }
    if (l.connectionPool) {
      const [kind, pool] = Object.entries(l.connectionPool)[0] ?? ['', {}];
      const limits = Object.entries(pool as Record<string, number>)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      rows.push({
        feature: `connection pool (${at})`,
        appMesh: `${kind}: ${limits}`,
        serviceConnect: 'no limit setting',
        level: 'approximated',
        why: 'Service Connect has no connection or request limits to set',
        keep: 'limit concurrency in the application',
      });
    }
  }
  for (const r of routes.filter((x) => x.retryPolicy)) {
    const p = r.retryPolicy!;
    rows.push({
      feature: `retry policy (route ${r.name})`,
      appMesh: `${p.maxRetries} ${p.maxRetries === 1 ? 'retry' : 'retries'}, ${dur(p.perRetryTimeout)} each`,
      serviceConnect: 'its own retries of failed connections, with no setting',
      level: 'approximated',
      why: 'Service Connect retries by itself and takes no retry policy',
      keep: 'retries in the application for anything more',
    });
  }
  return rows;
}

/**
 * The virtual services the service is behind: where it takes the name, what Service Connect does not keep of
 * their routes (weights, matches); where another service takes it, the traffic the name sent this one.
 */
export function routeLossRows(virtualServices: readonly VirtualServiceReport[], service: string): ParityRow[] {
  const keep = "ECS's LINEAR or CANARY deployment for versions of one application, routing in the application, or VPC Lattice";
  return virtualServices.flatMap((vs): ParityRow[] => {
    if (vs.owner !== null && vs.owner !== service) {
      const why = `a name belongs to one service on Service Connect: ${vs.name} goes to ${vs.owner}`;
      return [
        { feature: `name ${vs.name}`, appMesh: `sent part of its traffic to ${service}`, serviceConnect: 'none', level: 'lost', why, keep },
      ];
    }
    return vs.routes
      .filter((r) => r.lost.length)
      .map((r) => ({
        feature: `routing (${vs.name}, route ${r.name})`,
        appMesh: [...r.matches, ...r.split.map((s) => `${s.target} ${s.weight}`)].join(', ') || 'default route',
        serviceConnect: `${vs.name} goes to ${vs.owner ?? 'one service'} only`,
        level: 'lost' as const,
        why: `a name belongs to one service on Service Connect: ${r.lost.join(', ')} not kept`,
        keep,
      }));
  });
}

/**
 * Rule 11 for one migrating service: what its serviceConnectConfiguration carries (d.carried) and its parity
 * table, in the order carried settings, then what Service Connect does by itself, then routing. A setting that
 * is lost is also a warning, saying what would keep it.
 */
export function planParity(d: Draft, input: CarryInput): void {
  const carried = carrySettings(d, input);
  for (const r of carried.rows.filter((x) => x.level === 'lost')) note(d, 'warn', `${r.feature}: ${r.why}; to keep it: ${r.keep}`);
  if (Object.values(carried.ports).some((p) => p.tls)) for (const f of tlsRoleProblems(input.tlsRoleFacts)) note(d, f.level, f.message);
  const { node, routes } = nodeDecls(d, input.meshes);
  if (node) carried.rows.push(...ownBehaviourRows(node, routes));
  carried.rows.push(...routeLossRows(d.virtualServices, d.facts.service));
  d.carried = carried;
}
