import { describe, expect, it } from 'vitest';
import type { ServiceDiscoveryApi } from '../../src/aws/service-discovery.js';
import type { Context } from '../../src/runtime/context.js';
import { registryOf } from '../../src/steps/cloud-map.js';

// A cluster's plan reads Cloud Map's listings once; each service's registry is then found in them, with no
// GetService per service (200 of them in the bench's 200-service world).

const ARN = (id: string) => `arn:aws:servicediscovery:us-west-2:123456789012:service/${id}`;

function fakeCloudMap(services: Record<string, { name: string; namespaceId: string }>) {
  const calls: string[] = [];
  const sd: Partial<ServiceDiscoveryApi> = {
    async getService(id: string) {
      calls.push(`GetService ${id}`);
      return services[id] ?? { name: undefined, namespaceId: undefined };
    },
    async getNamespace(id: string) {
      calls.push(`GetNamespace ${id}`);
      return { name: `ns-of-${id}`, type: 'HTTP' } as never;
    },
  };
  const ctx = { aws: { serviceDiscovery: async () => sd } } as unknown as Context;
  return { ctx, calls };
}

const local = { id: 'ns-1', name: 'local', type: 'DNS_PRIVATE', services: [{ id: 'srv-a', name: 'payments' }] };
const other = { id: 'ns-2', name: 'other', type: 'HTTP', services: [{ id: 'srv-b', name: 'orders' }] };

describe('registryOf: a registry found in the listings', () => {
  it('a service its namespace lists: no GetService', async () => {
    const { ctx, calls } = fakeCloudMap({});
    expect(await registryOf(ctx, ARN('srv-a'), [local, other])).toEqual({
      service: 'payments',
      namespace: 'local',
      namespaceType: 'DNS_PRIVATE',
    });
    expect(calls).toEqual([]);
  });

  it('one no listing holds: GetService, its namespace from the listings', async () => {
    const { ctx, calls } = fakeCloudMap({ 'srv-c': { name: 'carts', namespaceId: 'ns-2' } });
    expect(await registryOf(ctx, ARN('srv-c'), [local, other])).toEqual({ service: 'carts', namespace: 'other', namespaceType: 'HTTP' });
    expect(calls).toEqual(['GetService srv-c']);
  });

  it('one every listing holds (an emulator that ignores the namespace filter): GetService says which namespace', async () => {
    const both = [local, { ...other, services: [...other.services, { id: 'srv-a', name: 'payments' }] }];
    const { ctx, calls } = fakeCloudMap({ 'srv-a': { name: 'payments', namespaceId: 'ns-2' } });
    expect(await registryOf(ctx, ARN('srv-a'), both)).toEqual({ service: 'payments', namespace: 'other', namespaceType: 'HTTP' });
    expect(calls).toEqual(['GetService srv-a']);
  });
});
