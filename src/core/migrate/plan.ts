import { meshNodeOf } from '../envoy/proxy.js';
import { pickApp, describeNode, listenPorts, newDraft } from './services.js';
import { provide, collectCandidates, chooseAlias } from './aliases.js';
import { chooseNamespace, describeMigrated } from './namespace.js';
import { nameBook, nameListeners, checkAliasClashes } from './naming.js';
import { indexNames, findBackends } from './backends.js';
import { render, unsupported } from './service-connect.js';
import { planWaves } from './waves.js';
import { ClusterPlanInput, Finding, Draft, note, ServicePlan, ClusterPlan } from './types.js';

/*
 * Plans a whole cluster's move from App Mesh to ECS Service Connect from what still exists after App Mesh
 * ended (2026-09-30): task definitions, Cloud Map, Route 53 private records, load balancers, and any mesh
 * descriptions (a mesh file, a template, Terraform state). The rules, cited by number below:
 *  1. envoy or an APPMESH proxyConfiguration: migrate; else Service Connect: migrated; else not-in-mesh.
 *  2. listeners from the described node, else the proxy's AppPorts, else the app's port mappings.
 *  3. the client alias: (a) a virtual service the node provides, (b) its Cloud Map name, (c) a Route 53
 *     private record pointing at its DNS hostname or load balancer; never a load balancer's own name.
 *  4. the namespace: --namespace, the Cloud Map registration, the node's Cloud Map discovery, the alias's
 *     parent domain; it must be a Cloud Map namespace (a private zone is not one) or --create-namespace.
 *  5. portName and discoveryName from the alias's first label; discoveryName free in the namespace and plan.
 *  6. one alias per Service Connect service, its name and port unique in the namespace.
 *  7. backends from the node, else from environment values naming another service's alias.
 *  8. waves: servers before clients; a cycle rolls as one wave.
 *  9. what Service Connect has no equivalent for is a warning with a suggestion.
 * 10. the task definition without envoy, its waits and the proxy configuration, with named ports.
 */

// ---- the plan ----------------------------------------------------------------------------------

function clusterFindings(input: ClusterPlanInput, migrating: number): Finding[] {
  const findings: Finding[] = [];
  if (input.overrides.clientAlias !== undefined && migrating > 1) {
    const next = 'plan one service at a time with it, or drop it';
    const message = `--client-alias names one service's alias, but ${migrating} services migrate; ${next}`;
    findings.push({ level: 'error', message });
  }
  if (input.meshes.length === 0 && migrating > 0) {
    const from = 'listeners come from task definitions, aliases from Cloud Map and Route 53, backends from environment variables';
    const message = `no mesh description: ${from}`;
    findings.push({ level: 'info', message });
  }
  for (const m of input.meshes) {
    for (const u of m.unresolved) {
      findings.push({ level: 'warn', message: `${m.source}: ${u} could not be resolved; the plan may miss what it names` });
    }
  }
  return findings;
}

function draftMigrating(d: Draft, input: ClusterPlanInput, override: string | undefined): void {
  const node = meshNodeOf(d.facts.described);
  d.virtualNode = node && { mesh: node.mesh, name: node.node };
  pickApp(d, input.overrides.appContainer);
  describeNode(d, input.meshes);
  listenPorts(d, input.overrides);
  if (d.ports.length === 0) {
    note(d, 'error', 'no port to publish: no mesh listener, no AppPorts in the proxy configuration, no port mapping on the app container');
  }
  provide(d, input.meshes);
  collectCandidates(d, input.records);
  chooseAlias(d, override, input.meshes);
  chooseNamespace(d, input);
}

function toServicePlan(d: Draft): ServicePlan {
  const rendered = render(d);
  return {
    service: d.facts.service,
    status: d.status,
    ...(d.virtualNode ? { virtualNode: d.virtualNode } : {}),
    ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
    namespaceExists: d.namespaceExists,
    listeners: d.listeners,
    backends: d.backends,
    findings: d.findings,
    ...rendered,
    sourceOf: d.sources,
  };
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
  const override = migrating.length === 1 ? input.overrides.clientAlias : undefined;
  for (const d of drafts) {
    if (d.status === 'migrate') draftMigrating(d, input, override);
    else if (d.status === 'migrated') describeMigrated(d, input.namespaces);
    else collectCandidates(d, input.records);
  }
  const book = nameBook(input, drafts);
  for (const d of migrating) nameListeners(d, book);
  checkAliasClashes(drafts);
  const index = indexNames(drafts);
  for (const d of migrating) {
    findBackends(d, index);
    unsupported(d);
  }
  const waves = planWaves(drafts);
  findings.push(...waves.findings);
  const services = drafts.map(toServicePlan);
  const ok = ![...findings, ...services.flatMap((s) => s.findings)].some((f) => f.level === 'error');
  return { waves: waves.waves, services, findings, ok };
}
