// ---- a virtual gateway service: left as it is, its routes as load balancer listener rules ----------

import { DescribedGatewayRoute, MeshDescription } from '../mesh/description.js';
import type { GatewayRouteExtras } from '../mesh/sources/common.js';
import { normalizeHost } from '../host-refs.js';
import { Draft, GatewayRouteReport, note } from './types.js';
import { sameName } from './providers.js';

/*
 * An envoy-only virtual gateway task has no application to keep and no name on Service Connect: apply
 * leaves it running as it is, and the plan says what replaces it, one load balancer listener rule per
 * gateway route (conditions from its match, forwarding to the ECS service that takes the virtual
 * service's name, on that service's container port), and which routes do what a listener rule cannot.
 */

/** A listener rule's condition for each match phrase (core/mesh/match.ts), or why a rule cannot hold it. */
function condition(m: string): { rule?: string; cannot?: string } {
  const [kind, ...rest] = m.split(' ');
  const value = rest.join(' ');
  const exact = value.startsWith('= ') ? value.slice(2) : undefined;
  const named = (what: string) =>
    exact !== undefined || !value.includes(' ')
      ? { rule: `${what} ${value}` }
      : { cannot: `the ${m} match (a listener rule matches values and * wildcards only)` };
  if (kind === 'hostname')
    return exact !== undefined
      ? { rule: `host-header ${exact}` }
      : value.startsWith('ends ')
        ? { rule: `host-header *${value.slice(5)}` }
        : { cannot: `the ${m} match` };
  if (kind === 'header') return named('http-header');
  if (kind === 'query') return named('query-string');
  if (kind === 'method') return { rule: `http-request-method ${value}` };
  if (kind === 'path')
    return exact !== undefined
      ? { rule: `path-pattern ${exact}` }
      : { cannot: `the ${m} match (a listener rule has no regular expressions)` };
  return { cannot: `the ${m} match` };
}

/**
 * The container port a route forwards to: with App Mesh's target.port, the owner's listener that clients call on
 * that port (a router's listener port maps to the node's) or that listens on it; without, the owner's first.
 */
function targetPortOf(g: DescribedGatewayRoute, owner: Draft | undefined): { port?: number; unknown?: string } {
  if (!owner) return {};
  if (g.targetPort === undefined) return { port: owner.listeners[0]?.port };
  const byAlias = owner.listeners.find((l) => l.alias.port === g.targetPort) ?? owner.listeners.find((l) => l.port === g.targetPort);
  if (byAlias) return { port: byAlias.port };
  const ports = owner.listeners.map((l) => (l.alias.port === l.port ? `${l.port}` : `${l.alias.port}→${l.port}`)).join(', ') || 'none';
  return {
    port: g.targetPort,
    unknown: `its target port ${g.targetPort} is not one ECS service ${owner.facts.service} publishes (${ports})`,
  };
}

/** A route as its listener rule; what is wrong with its target goes to `problems`. */
function routeReport(g: DescribedGatewayRoute & GatewayRouteExtras, owner: Draft | undefined, problems: string[]): GatewayRouteReport {
  const { port, unknown } = targetPortOf(g, owner);
  if (unknown) problems.push(`gateway route ${g.name}: ${unknown}; check the route's target port and the service's ports`);
  const target = owner && port !== undefined ? { service: owner.facts.service, port } : null;
  const conditions: string[] = [];
  const unsupported: string[] = [];
  if (g.prefix !== undefined) conditions.push(`path-pattern ${g.prefix === '/' ? '/*' : `${g.prefix.replace(/\/$/, '')}*`}`);
  for (const m of g.matches ?? []) {
    const c = condition(m);
    if (c.rule) conditions.push(c.rule);
    if (c.cannot) unsupported.push(c.cannot);
  }
  if (g.prefix && g.prefix !== '/' && g.rewritePrefix !== false) {
    unsupported.push(`the prefix rewrite (App Mesh sends ${g.prefix} on as /; a listener rule forwards the path unchanged)`);
  }
  const to = target ? `ECS service ${target.service} port ${target.port}` : `the service behind ${g.virtualService ?? '(no target)'}`;
  const rule = `${conditions.join(' and ') || 'path-pattern /*'} → forward to a target group of ${to}`;
  return { name: g.name, virtualService: g.virtualService ? normalizeHost(g.virtualService) : null, target, rule, unsupported };
}

/** The gateway's routes from the descriptions, each as a listener rule; notes on the draft. */
export function planGateway(d: Draft, meshes: MeshDescription[], ownerOf: (name: string) => Draft | undefined): void {
  const gw = d.gateway!;
  const routes = meshes
    .filter((m) => sameName(m.mesh, gw.mesh))
    .flatMap((m) => m.gatewayRoutes)
    .filter((g, i, all) => sameName(g.gateway, gw.name) && all.findIndex((x) => x.gateway === g.gateway && x.name === g.name) === i);
  const problems: string[] = [];
  d.gatewayReport = routes.map((g) => routeReport(g, g.virtualService ? ownerOf(normalizeHost(g.virtualService)) : undefined, problems));
  const left = 'apply leaves it as it is and migrate cleanup lists it';
  const then = 'replace it with one load balancer listener rule per route, then retire it';
  note(d, 'info', `virtual gateway ${gw.name} (mesh ${gw.mesh}): no application to move to Service Connect; ${left}; ${then}`);
  if (routes.length === 0) {
    const sources = meshes.map((m) => m.source).join(', ') || 'none given';
    note(d, 'info', `no mesh description (${sources}) has the routes of gateway ${gw.name}; give the mesh file or template to list them`);
  }
  for (const p of problems) note(d, 'warn', p);
  for (const r of d.gatewayReport) {
    note(d, 'info', `gateway route ${r.name}: listener rule ${r.rule}`);
    if (r.unsupported.length)
      note(d, 'warn', `gateway route ${r.name}: a listener rule cannot do ${r.unsupported.join(', ')}; do it in the application`);
  }
}
