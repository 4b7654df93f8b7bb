import { meshGatewayOf, meshNodeOf } from '../envoy/proxy.js';
import { pickApp, describeNode, listenPorts, newDraft } from './services.js';
import { provide, collectCandidates, chooseAlias, lookedAt } from './aliases.js';
import { ownerships, behindIndex, Ownership } from './providers.js';
import { planGateway } from './gateway.js';
import { chooseNamespace, describeMigrated } from './namespace.js';
import { nameBook, nameListeners, checkAliasClashes } from './naming.js';
import { indexNames, findBackends } from './backends.js';
import { render, unsupported } from './service-connect.js';
import { planWaves } from './waves.js';
import { checkPrerequisites } from './prerequisites.js';
import { planStandaloneTasks } from './standalone.js';
import { checkCallers } from './callers.js';
import { planParity } from './parity.js';
import { ClusterPlanInput, Finding, Draft, note, ServicePlan, ClusterPlan, serversOf } from './types.js';

/*
 * Plans a whole cluster's move from App Mesh to ECS Service Connect from what still exists after App Mesh
 * ended (2026-09-30): task definitions, Cloud Map, Route 53 private records, load balancers, and any mesh
 * descriptions (a mesh file, a template, Terraform state). The rules, cited by number below:
 *  1. envoy or an APPMESH proxyConfiguration: migrate; else Service Connect: migrated; else not-in-mesh.
 *  2. listeners from the described node, else the proxy's AppPorts, else the app's port mappings.
 *  1b. envoy serving a virtual gateway: gateway, left as it is; its routes become listener rules (gateway.ts).
 *  3. the client alias: (a) a virtual service the node provides, directly or through a router, on the
 *     router's port; with several nodes behind it, only its owner's (providers.ts); (b) its Cloud Map name,
 *     (c) a Route 53 private record pointing at its DNS hostname or load balancer; never a load balancer's
 *     own name. With none, the service is a Service Connect client only (the namespace, no services).
 *  4. the namespace: --namespace, the Cloud Map registration, the node's Cloud Map discovery, the alias's
 *     parent domain; it must be a Cloud Map namespace (a private zone is not one) or --create-namespace.
 *  5. portName and discoveryName from the alias's first label; discoveryName free in the namespace and plan.
 *  6. one alias per Service Connect service, its name and port unique in the namespace.
 *  7. backends from the node, else from environment values naming another service's alias.
 *  8. waves: servers before clients (every service behind a virtual service it calls); a cycle rolls as one wave.
 *  9. what Service Connect has no equivalent for is a warning with a suggestion.
 * 10. the task definition without envoy, its waits and the proxy configuration, with named ports.
 * 11. callers the plan does not hold (other clusters, other accounts) and frozen endpoints (callers.ts).
 * 12. what it has a setting for is carried (timeouts, TLS from AWS Private CA, access logs); a parity row each (parity.ts).
 */

// ---- the plan ----------------------------------------------------------------------------------

function clusterFindings(input: ClusterPlanInput, migrating: number): Finding[] {
  const findings: Finding[] = [];
  if (input.meshes.length === 0 && migrating > 0) {
    const from = 'listeners come from task definitions, aliases from Cloud Map and Route 53, backends from environment variables';
    const message = `no mesh description: ${from}`;
    findings.push({ level: 'info', message });
  }
  for (const m of input.meshes) {
    for (const u of m.unresolved) {
      findings.push({ level: 'warn', message: `${m.source}: ${u} could not be resolved; the plan may miss what it names` });
    }
    // An object left out would be planned as if it did not exist (its clients unwired, its name unowned): nothing
    // is left out in silence, as mesh import refuses the same losses.
    for (const d of m.dropped ?? []) {
      const partial = input.overrides.allowPartial === true;
      const then = partial ? 'planned without it (--allow-partial)' : 'pass the values named above, or --allow-partial to plan without it';
      findings.push({
        level: partial ? 'warn' : 'error',
        message: `${m.source}: ${d} was left out: its name could not be resolved; ${then}`,
      });
    }
  }
  return findings;
}

function draftMigrating(d: Draft, input: ClusterPlanInput, all: Ownership[], drafts: Draft[]): void {
  const given = input.overrides.clientAlias;
  pickApp(d, input.overrides.appContainer);
  describeNode(d, input.meshes);
  listenPorts(d, input.overrides);
  provide(d, input.meshes, all, drafts);
  collectCandidates(d, input.records, input.meshes, drafts);
  chooseAlias(d, given?.service === d.facts.service ? given : undefined);
  if (!d.alias) {
    d.kind = 'client-only';
    const looked = lookedAt(d, input.meshes);
    const next = 'if something calls it by a name, pass --client-alias NAME[:PORT] with that name';
    const what = 'a Service Connect client only (the namespace, no services): nothing names it';
    return note(d, 'info', `${d.facts.service} is ${what}; looked at ${looked}; ${next}`);
  }
  d.kind = 'server';
  if (d.ports.length === 0) {
    const none = 'no mesh listener, no AppPorts in the proxy configuration, no port mapping on the app container';
    note(d, 'error', `no port to publish for ${d.alias.name}: ${none}; pass --app-container naming the container that listens`);
  }
  chooseNamespace(d, input);
}

/** A client only's namespace: --namespace, else the one of the services it calls, else the one the others use. */
function clientNamespace(d: Draft, drafts: Draft[], input: ClusterPlanInput): void {
  if (input.overrides.namespace !== undefined) return chooseNamespace(d, input);
  const byService = new Map(drafts.map((x) => [x.facts.service, x]));
  const called = serversOf(d.backends);
  const spaces = (list: Draft[]) => [...new Set(list.flatMap((x) => (x.namespace && x.kind !== 'client-only' ? [x.namespace] : [])))];
  const ofCalled = spaces(called.flatMap((s) => byService.get(s) ?? []));
  if (ofCalled.length > 1) {
    const why = 'a Service Connect client reaches one namespace';
    return note(d, 'error', `${d.facts.service} calls services in namespaces ${ofCalled.join(', ')}; ${why}: pass --namespace`);
  }
  if (ofCalled.length === 1) return chooseNamespace(d, input, { name: ofCalled[0]!, source: 'the services it calls' });
  const others = spaces(drafts.filter((x) => x.status === 'migrate' || x.status === 'migrated'));
  if (others.length === 1) return chooseNamespace(d, input, { name: others[0]!, source: "the cluster's other services" });
  const which = others.length ? `the cluster's services use ${others.join(', ')}` : 'no service of the cluster names one';
  note(d, 'error', `no namespace for ${d.facts.service}, a client only: it calls no service of the plan and ${which}; pass --namespace`);
}

function toServicePlan(d: Draft): ServicePlan {
  const rendered = render(d);
  return {
    service: d.facts.service,
    status: d.status,
    ...(d.kind ? { kind: d.kind } : {}),
    ...(d.virtualNode ? { virtualNode: d.virtualNode } : {}),
    ...(d.virtualServices.length ? { virtualServices: d.virtualServices } : {}),
    ...(d.gateway ? { gateway: { ...d.gateway, routes: d.gatewayReport ?? [] } } : {}),
    ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
    namespaceExists: d.namespaceExists,
    listeners: d.listeners,
    backends: d.backends,
    findings: d.findings,
    ...rendered,
    sourceOf: d.sources,
    ...(d.carried ? { parity: d.carried.rows } : {}),
  };
}

/** The mesh object each proxy serves: a node (rule 1's migrate) or a virtual gateway. */
function readNodes(drafts: Draft[]): void {
  for (const d of drafts) {
    const node = d.status === 'migrate' ? meshNodeOf(d.facts.described) : undefined;
    if (node) d.virtualNode = { mesh: node.mesh, name: node.node };
    const gateway = d.status === 'gateway' ? meshGatewayOf(d.facts.described) : undefined;
    if (gateway) Object.assign(d, { gateway: { mesh: gateway.mesh, name: gateway.gateway }, kind: 'gateway' });
  }
}

/**
 * The facts of a cluster's services (task definitions, Cloud Map, Route 53, load balancers, any mesh
 * descriptions) in; for every service what Service Connect needs (aliases, names, namespace, the
 * envoy-free task definition), its backends, and the waves to roll them in, servers first, out.
 */
export function planCluster(input: ClusterPlanInput): ClusterPlan {
  const drafts = input.services.map(newDraft);
  const migrating = drafts.filter((d) => d.status === 'migrate');
  const findings = clusterFindings(input, migrating.length);
  readNodes(drafts);
  const owners = ownerships(input.meshes, drafts, input.overrides.aliasOwners);
  findings.push(...owners.findings);
  for (const d of drafts) {
    if (d.status === 'migrate') draftMigrating(d, input, owners.ownerships, drafts);
    else if (d.status === 'migrated') describeMigrated(d, input.namespaces);
    else if (d.status === 'not-in-mesh') collectCandidates(d, input.records);
  }
  const book = nameBook(input, drafts);
  for (const d of migrating) nameListeners(d, book);
  checkAliasClashes(drafts);
  const index = indexNames(drafts);
  const behind = behindIndex(drafts, owners.ownerships);
  for (const d of migrating) findBackends(d, index, behind);
  for (const d of migrating.filter((x) => x.kind === 'client-only')) clientNamespace(d, drafts, input);
  for (const d of migrating) unsupported(d);
  const carryInput = { ...input, certificates: input.certificates ?? [], tlsRole: input.overrides.tlsRole };
  for (const d of migrating) planParity(d, carryInput);
  for (const d of drafts.filter((x) => x.gateway)) planGateway(d, input.meshes, (name) => index.primary.get(name)?.[0]);
  const waves = planWaves(drafts);
  findings.push(...waves.findings);
  const services = drafts.map(toServicePlan);
  checkPrerequisites(services, input);
  planStandaloneTasks(services, input);
  findings.push(...checkCallers(services, input));
  const ok = ![...findings, ...services.flatMap((s) => s.findings)].some((f) => f.level === 'error');
  return { waves: waves.waves, services, findings, ok };
}
