import { GetNamespaceCommand, GetServiceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { callAws } from './aws-error.js';
import { addCallLogging, clientOptions, type AwsConfig } from './client-config.js';

export interface ServiceDiscoveryApi {
  getService(id: string): Promise<{ name?: string; namespaceId?: string }>;
  getNamespace(id: string): Promise<{ name?: string }>;
}

export function createServiceDiscoveryApi(client: ServiceDiscoveryClient, endpoint?: string): ServiceDiscoveryApi {
  return {
    async getService(Id) {
      const out = await callAws('GetService', () => client.send(new GetServiceCommand({ Id })), endpoint);
      return { name: out.Service?.Name, namespaceId: out.Service?.NamespaceId };
    },
    async getNamespace(Id) {
      const out = await callAws('GetNamespace', () => client.send(new GetNamespaceCommand({ Id })), endpoint);
      return { name: out.Namespace?.Name };
    },
  };
}

export function connectServiceDiscovery(config: AwsConfig): ServiceDiscoveryApi {
  const client = new ServiceDiscoveryClient(clientOptions(config));
  addCallLogging(client as never, 'servicediscovery', config.log);
  return createServiceDiscoveryApi(client, config.endpointUrl);
}
