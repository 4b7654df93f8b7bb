import { AppMeshClient, DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { callAws } from './aws-error.js';
import { addCallLogging, clientOptions, type AwsConfig } from './client-config.js';

export interface VirtualNodeInfo {
  arn?: string;
  status?: string;
}

export interface AppMeshApi {
  /** The virtual node, or undefined when App Mesh says it does not exist. */
  describeVirtualNode(mesh: string, virtualNode: string): Promise<VirtualNodeInfo | undefined>;
}

/** AWS answers NotFoundException (404); moto answers VirtualNodeNotFound or MeshNotFound (400). */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFoundException' || /^(VirtualNode|Mesh)NotFound$/.test(e.name ?? '') || e.$metadata?.httpStatusCode === 404;
}

export function createAppMeshApi(client: AppMeshClient, endpoint?: string): AppMeshApi {
  return {
    async describeVirtualNode(meshName, virtualNodeName) {
      try {
        const out = await client.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName }));
        return { arn: out.virtualNode?.metadata?.arn, status: out.virtualNode?.status?.status };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        return callAws('DescribeVirtualNode', () => Promise.reject(err), endpoint);
      }
    },
  };
}

export function connectAppMesh(config: AwsConfig): AppMeshApi {
  const client = new AppMeshClient(clientOptions(config));
  addCallLogging(client as never, 'appmesh', config.log);
  return createAppMeshApi(client, config.endpointUrl);
}
