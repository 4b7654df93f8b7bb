import { type DescribedTaskDefinition } from '../task-definition.js';

/** The parts of an App Mesh virtual node spec the translation reads (DescribeVirtualNode's `spec`). */
export interface VirtualNodeSpec {
  listeners?: { portMapping?: { port?: number; protocol?: string } }[];
  backends?: { virtualService?: { virtualServiceName?: string } }[];
  serviceDiscovery?: { awsCloudMap?: { namespaceName?: string; serviceName?: string }; dns?: { hostname?: string } };
}

/** App Mesh's envoy image (`…/aws-appmesh-envoy:v1.27.3.0-prod`, ECR or ECR Public), by its repository name. */
const APP_MESH_ENVOY_IMAGE = /(?:^|\/)aws-appmesh-envoy(?::|@|$)/;

/**
 * The containers that are the App Mesh proxy: one named envoy, and the one an APPMESH proxyConfiguration names;
 * when neither names one (a virtual gateway's task has no proxyConfiguration), those running App Mesh's envoy
 * image with the mesh object they serve in their environment (APPMESH_RESOURCE_ARN or APPMESH_VIRTUAL_NODE_NAME).
 */
export function proxyContainers(td: DescribedTaskDefinition['taskDefinition']): Set<string> {
  const names = new Set<string>();
  const containers = td.containerDefinitions ?? [];
  if (containers.some((c) => c.name === ENVOY_CONTAINER)) names.add(ENVOY_CONTAINER);
  if (td.proxyConfiguration?.type === 'APPMESH' && td.proxyConfiguration.containerName) names.add(td.proxyConfiguration.containerName);
  if (names.size === 0) {
    const serves = (c: (typeof containers)[number]) =>
      (c.environment ?? []).some((e) => e.name === 'APPMESH_RESOURCE_ARN' || e.name === 'APPMESH_VIRTUAL_NODE_NAME');
    for (const c of containers) if (c.name && APP_MESH_ENVOY_IMAGE.test(c.image ?? '') && serves(c)) names.add(c.name);
  }
  return names;
}

/** `mesh/M/virtualNode/N`, alone or at the end of an ARN. */
const NODE_REFERENCE = /(?:^|:)mesh\/([^/]+)\/virtualNode\/([^/]+)$/;
/** `mesh/M/virtualGateway/G`, alone or at the end of an ARN. */
const GATEWAY_REFERENCE = /(?:^|:)mesh\/([^/]+)\/virtualGateway\/([^/]+)$/;

/** The mesh object envoy's APPMESH_VIRTUAL_NODE_NAME or APPMESH_RESOURCE_ARN names, matched against `pattern`. */
function referenceOf(described: DescribedTaskDefinition, pattern: RegExp): [string, string] | undefined {
  const td = described.taskDefinition;
  const proxies = proxyContainers(td);
  for (const c of (td.containerDefinitions ?? []).filter((x) => proxies.has(x.name ?? ''))) {
    const read = (name: string) => (c.environment ?? []).find((e) => e.name === name)?.value;
    for (const value of [read('APPMESH_VIRTUAL_NODE_NAME'), read('APPMESH_RESOURCE_ARN')]) {
      const m = value ? pattern.exec(value.trim()) : null;
      if (m) return [m[1]!, m[2]!];
    }
  }
  return undefined;
}

/** The virtual gateway an envoy-only gateway task serves (`mesh/M/virtualGateway/G` or its ARN). */
export function meshGatewayOf(described: DescribedTaskDefinition): { mesh: string; gateway: string } | undefined {
  const ref = referenceOf(described, GATEWAY_REFERENCE);
  return ref && { mesh: ref[0], gateway: ref[1] };
}

/**
 * The mesh and node the proxy serves: APPMESH_VIRTUAL_NODE_NAME (`mesh/M/virtualNode/N`), else
 * APPMESH_RESOURCE_ARN, of the first proxy container (see proxyContainers) that names one.
 */
export function meshNodeOf(described: DescribedTaskDefinition): { mesh: string; node: string } | undefined {
  const ref = referenceOf(described, NODE_REFERENCE);
  return ref && { mesh: ref[0], node: ref[1] };
}

export const ENVOY_CONTAINER = 'envoy';
/**
 * True when the task definition runs the App Mesh proxy: a container named envoy, or the one an APPMESH
 * proxyConfiguration names (an envoy container called `proxy` or `sidecar` is found too).
 */
export function hasEnvoy(described: DescribedTaskDefinition): boolean {
  const td = described.taskDefinition;
  return proxyContainers(td).size > 0 || td.proxyConfiguration?.type === 'APPMESH';
}
