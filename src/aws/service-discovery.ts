import {
  CreateHttpNamespaceCommand,
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
import { allPages } from './pages.js';
import { sender } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';

export interface ServiceDiscoveryApi {
  getService(id: string): Promise<{ name?: string; namespaceId?: string }>;
  getNamespace(id: string): Promise<{ name?: string; type?: string }>;
  /** Every namespace, with its type (HTTP, DNS_PRIVATE, DNS_PUBLIC), and when it was created. */
  listNamespaces(): Promise<{ id: string; name: string; type: string; createDate?: Date }[]>;
  /** The namespace of that name, or undefined. */
  findNamespace(name: string): Promise<{ id: string; name: string } | undefined>;
  /** Starts creating a private DNS namespace; returns the operation's id (see getOperation). */
  createPrivateDnsNamespace(name: string, vpc: string): Promise<string>;
  /**
   * Starts creating an HTTP namespace (what Service Connect needs at least); returns the operation's id.
   * Cloud Map runs a request with a CreatorRequestId it has seen once.
   */
  createHttpNamespace(name: string, creatorRequestId?: string): Promise<string>;
  /** The state of an asynchronous Cloud Map operation: SUBMITTED, PENDING, SUCCESS or FAIL. */
  getOperation(id: string): Promise<{ status: string; namespaceId?: string; error?: string }>;
  listServices(namespaceId: string): Promise<{ id: string; name: string }[]>;
  /** A Cloud Map service (an A record per task); its id and ARN (an ECS service's registry). */
  createService(name: string, namespaceId: string): Promise<{ id: string; arn: string }>;
  deleteService(id: string): Promise<void>;
  deleteNamespace(id: string): Promise<void>;
}

export function createServiceDiscoveryApi(client: ServiceDiscoveryClient, endpoint?: string): ServiceDiscoveryApi {
  const send = sender(client, endpoint);
  return {
    async getService(Id) {
      const out = await send('GetService', new GetServiceCommand({ Id }));
      return { name: out.Service?.Name, namespaceId: out.Service?.NamespaceId };
    },
    async getNamespace(Id) {
      const out = await send('GetNamespace', new GetNamespaceCommand({ Id }));
      return { name: out.Namespace?.Name, type: out.Namespace?.Type };
    },
    async listNamespaces() {
      const all = await allPages(async (NextToken) => {
        const out = await send('ListNamespaces', new ListNamespacesCommand({ NextToken }));
        return { items: out.Namespaces ?? [], nextToken: out.NextToken };
      });
      return all.map((n) => ({
        id: n.Id!,
        name: n.Name!,
        type: n.Type ?? 'DNS_PRIVATE',
        ...(n.CreateDate ? { createDate: n.CreateDate } : {}),
      }));
    },
    async findNamespace(name) {
      const ns = (await this.listNamespaces()).find((n) => n.name === name);
      return ns && { id: ns.id, name };
    },
    async createPrivateDnsNamespace(Name, Vpc) {
      return (await send('CreatePrivateDnsNamespace', new CreatePrivateDnsNamespaceCommand({ Name, Vpc }))).OperationId!;
    },
    async createHttpNamespace(Name, CreatorRequestId) {
      return (
        await send('CreateHttpNamespace', new CreateHttpNamespaceCommand({ Name, ...(CreatorRequestId ? { CreatorRequestId } : {}) }))
      ).OperationId!;
    },
    async getOperation(OperationId) {
      const op = (await send('GetOperation', new GetOperationCommand({ OperationId }))).Operation;
      return { status: op?.Status ?? 'PENDING', namespaceId: op?.Targets?.NAMESPACE, error: op?.ErrorMessage ?? op?.ErrorCode };
    },
    listServices: (namespaceId) =>
      allPages(async (NextToken) => {
        const out = await send(
          'ListServices',
          new ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' }], NextToken }),
        );
        return { items: (out.Services ?? []).map((x) => ({ id: x.Id!, name: x.Name! })), nextToken: out.NextToken };
      }),
    async createService(Name, NamespaceId) {
      // As the runbook's console steps make them: an A record per task, found through the namespace's DNS.
      const out = await send(
        'CreateService',
        new CreateServiceCommand({
          Name,
          NamespaceId,
          DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 300 }] },
          HealthCheckCustomConfig: { FailureThreshold: 1 },
        }),
      );
      return { id: out?.Service?.Id ?? '', arn: out?.Service?.Arn ?? '' };
    },
    async deleteService(Id) {
      await send('DeleteService', new DeleteServiceCommand({ Id }));
    },
    async deleteNamespace(Id) {
      await send('DeleteNamespace', new DeleteNamespaceCommand({ Id }));
    },
  };
}

export function connectServiceDiscovery(config: AwsConfig): ServiceDiscoveryApi {
  return createServiceDiscoveryApi(connectClient(ServiceDiscoveryClient, 'servicediscovery', config), config.endpointUrl);
}
