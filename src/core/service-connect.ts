import { ENVOY_CONTAINER, type DescribedTaskDefinition } from './render-envoy.js';

/** The parts of an App Mesh virtual node spec the translation reads (DescribeVirtualNode's `spec`). */
export interface VirtualNodeSpec {
  listeners?: { portMapping?: { port?: number; protocol?: string } }[];
  backends?: { virtualService?: { virtualServiceName?: string } }[];
  serviceDiscovery?: { awsCloudMap?: { namespaceName?: string; serviceName?: string }; dns?: { hostname?: string } };
}

/** The mesh and node an envoy container serves, from APPMESH_VIRTUAL_NODE_NAME (mesh/M/virtualNode/N). */
export function meshNodeOf(described: DescribedTaskDefinition): { mesh: string; node: string } | undefined {
  const envoy = described.taskDefinition.containerDefinitions?.find((c) => c.name === ENVOY_CONTAINER);
  const value =
    envoy?.environment?.find((e) => e.name === 'APPMESH_VIRTUAL_NODE_NAME')?.value ??
    envoy?.environment?.find((e) => e.name === 'APPMESH_RESOURCE_ARN')?.value;
  const m = value ? /mesh\/([^/]+)\/virtualNode\/([^/]+)$/.exec(value) : null;
  return m ? { mesh: m[1]!, node: m[2]! } : undefined;
}
