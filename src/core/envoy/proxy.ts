import { type DescribedTaskDefinition } from '../task-definition.js';

/** The parts of an App Mesh virtual node spec the translation reads (DescribeVirtualNode's `spec`). */
export interface VirtualNodeSpec {
  listeners?: { portMapping?: { port?: number; protocol?: string } }[];
  backends?: { virtualService?: { virtualServiceName?: string } }[];
  serviceDiscovery?: { awsCloudMap?: { namespaceName?: string; serviceName?: string }; dns?: { hostname?: string } };
}

/** The containers that are the App Mesh proxy: one named envoy, and the one an APPMESH proxyConfiguration names. */
export function proxyContainers(td: DescribedTaskDefinition['taskDefinition']): Set<string> {
  const names = new Set<string>();
  if ((td.containerDefinitions ?? []).some((c) => c.name === ENVOY_CONTAINER)) names.add(ENVOY_CONTAINER);
  if (td.proxyConfiguration?.type === 'APPMESH' && td.proxyConfiguration.containerName) names.add(td.proxyConfiguration.containerName);
  return names;
}

/** `mesh/M/virtualNode/N`, alone or at the end of an ARN. */
const NODE_REFERENCE = /(?:^|:)mesh\/([^/]+)\/virtualNode\/([^/]+)$/;

/**
 * The mesh and node the proxy serves: APPMESH_VIRTUAL_NODE_NAME (`mesh/M/virtualNode/N`), else
 * APPMESH_RESOURCE_ARN, of the first proxy container (see proxyContainers) that names one.
 */
export function meshNodeOf(described: DescribedTaskDefinition): { mesh: string; node: string } | undefined {
  const td = described.taskDefinition;
  const proxies = proxyContainers(td);
  for (const c of (td.containerDefinitions ?? []).filter((x) => proxies.has(x.name ?? ''))) {
    const read = (name: string) => (c.environment ?? []).find((e) => e.name === name)?.value;
    const value = read('APPMESH_VIRTUAL_NODE_NAME') ?? read('APPMESH_RESOURCE_ARN');
    const m = value ? NODE_REFERENCE.exec(value.trim()) : null;
    if (m) return { mesh: m[1]!, node: m[2]! };
  }
  return undefined;
}

export const ENVOY_CONTAINER = 'envoy';
/** True when the task definition has an envoy container. */
export function hasEnvoy(described: DescribedTaskDefinition): boolean {
  return described.taskDefinition.containerDefinitions?.some((c) => c.name === ENVOY_CONTAINER) ?? false;
}
