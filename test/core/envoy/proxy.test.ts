import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvoy, workshopEnvoyImage } from '../../../src/core/envoy/render.js';
import { toDescribed, type DescribedTaskDefinition } from '../../../src/core/task-definition.js';
import { meshNodeOf } from '../../../src/core/envoy/proxy.js';

const original = toDescribed(JSON.parse(readFileSync(new URL('../../fixtures/crystal-describe.json', import.meta.url), 'utf8')), 'fixture');
/** The workshop's task definition after add-envoy, as DescribeTaskDefinition would return it. */
const withEnvoy = (
  d: DescribedTaskDefinition = original,
  node = 'crystal-lb-vanilla',
  mesh = 'appmesh-workshop',
): DescribedTaskDefinition => {
  const { input } = renderEnvoy(d, { mesh, virtualNode: node, envoyImage: workshopEnvoyImage('us-west-2') });
  return {
    taskDefinition: {
      ...input,
      taskDefinitionArn: `${d.taskDefinition.taskDefinitionArn!.replace(/:\d+$/, '')}:2`,
      revision: 2,
      status: 'ACTIVE',
    } as never,
    tags: input.tags,
  };
};

describe('meshNodeOf', () => {
  it('reads the mesh and node the envoy serves', () => {
    expect(meshNodeOf(withEnvoy())).toEqual({ mesh: 'appmesh-workshop', node: 'crystal-lb-vanilla' });
    expect(meshNodeOf(original)).toBeUndefined();
  });
});

describe('meshNodeOf on other proxies', () => {
  const proxied = (name: string, env: { name: string; value: string }[]): DescribedTaskDefinition => ({
    taskDefinition: {
      family: 'orders',
      containerDefinitions: [
        { name: 'app', environment: [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/decoy/virtualNode/not-the-proxy' }] },
        { name, environment: env },
      ],
      proxyConfiguration: { type: 'APPMESH', containerName: name },
    },
  });

  it('reads the container an APPMESH proxyConfiguration names, whatever its name, and never the application', () => {
    expect(meshNodeOf(proxied('sidecar', [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/shop/virtualNode/orders' }]))).toEqual({
      mesh: 'shop',
      node: 'orders',
    });
  });

  it('falls back to the tail of APPMESH_RESOURCE_ARN, and refuses what is not a node reference', () => {
    const arn = 'arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/orders';
    expect(meshNodeOf(proxied('sidecar', [{ name: 'APPMESH_RESOURCE_ARN', value: ` ${arn} ` }]))).toEqual({ mesh: 'shop', node: 'orders' });
    expect(
      meshNodeOf(proxied('sidecar', [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:1:mesh/shop/virtualGateway/gw' }])),
    ).toBeUndefined();
    expect(meshNodeOf(proxied('sidecar', [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'xmesh/shop/virtualNode/orders' }]))).toBeUndefined();
  });
});
