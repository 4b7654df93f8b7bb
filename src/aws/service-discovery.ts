import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteNamespaceCommand,
  DeleteServiceCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  GetServiceCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { AwsCallError } from '../errors.js';
import { allPages } from './pages.js';
import { callAws } from './aws-error.js';
import { addCallLogging, clientOptions, type AwsConfig } from './client-config.js';

export interface ServiceDiscoveryApi {
  getService(id: string): Promise<{ name?: string; namespaceId?: string }>;
  getNamespace(id: string): Promise<{ name?: string }>;
  /** The namespace of that name, or undefined. */
  findNamespace(name: string): Promise<{ id: string; name: string } | undefined>;
  /** Creates a private DNS namespace and waits for the operation; returns its id. */
  createPrivateDnsNamespace(name: string, vpc: string): Promise<string>;
  listServices(namespaceId: string): Promise<{ id: string; name: string }[]>;
  createService(name: string, namespaceId: string): Promise<void>;
  deleteService(id: string): Promise<void>;
  deleteNamespace(id: string): Promise<void>;
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
    async findNamespace(name) {
      const all = await allPages(async (NextToken) => {
        const out = await callAws('ListNamespaces', () => client.send(new ListNamespacesCommand({ NextToken })), endpoint);
        return { items: out.Namespaces ?? [], nextToken: out.NextToken };
      });
      const ns = all.find((n) => n.Name === name);
      return ns?.Id ? { id: ns.Id, name } : undefined;
    },
    async createPrivateDnsNamespace(Name, Vpc) {
      const out = await callAws('CreatePrivateDnsNamespace', () => client.send(new CreatePrivateDnsNamespaceCommand({ Name, Vpc })), endpoint);
      const OperationId = out.OperationId!;
      // Namespace creation is asynchronous: wait for the operation (a minute at most).
      for (let i = 0; i < 60; i++) {
        const op = await callAws('GetOperation', () => client.send(new GetOperationCommand({ OperationId })), endpoint);
        if (op.Operation?.Status === 'SUCCESS') return op.Operation.Targets?.NAMESPACE ?? (await this.findNamespace(Name))!.id;
        if (op.Operation?.Status === 'FAIL') throw new AwsCallError('CreatePrivateDnsNamespace', op.Operation.ErrorCode ?? 'Failed', undefined, `CreatePrivateDnsNamespace ${Name} failed: ${op.Operation.ErrorMessage}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      throw new AwsCallError('CreatePrivateDnsNamespace', 'Timeout', undefined, `namespace ${Name} was not created within a minute; run the same command again`);
    },
    listServices: (namespaceId) =>
      allPages(async (NextToken) => {
        const out = await callAws('ListServices', () => client.send(new ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' }], NextToken })), endpoint);
        return { items: (out.Services ?? []).map((x) => ({ id: x.Id!, name: x.Name! })), nextToken: out.NextToken };
      }),
    async createService(Name, NamespaceId) {
      // As the runbook's console steps make them: an A record per task, found through the namespace's DNS.
      await callAws('CreateService', () => client.send(new CreateServiceCommand({ Name, NamespaceId, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 300 }] }, HealthCheckCustomConfig: { FailureThreshold: 1 } })), endpoint);
    },
    async deleteService(Id) {
      await callAws('DeleteService', () => client.send(new DeleteServiceCommand({ Id })), endpoint);
    },
    async deleteNamespace(Id) {
      await callAws('DeleteNamespace', () => client.send(new DeleteNamespaceCommand({ Id })), endpoint);
    },
  };
}

export function connectServiceDiscovery(config: AwsConfig): ServiceDiscoveryApi {
  const client = new ServiceDiscoveryClient(clientOptions(config));
  addCallLogging(client as never, 'servicediscovery', config.log);
  return createServiceDiscoveryApi(client, config.endpointUrl);
}
