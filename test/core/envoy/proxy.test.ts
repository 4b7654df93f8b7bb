import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvoy, workshopEnvoyImage } from '../../../src/core/envoy/render.js';
import { toDescribed, type DescribedTaskDefinition } from '../../../src/core/task-definition.js';
import { meshGatewayOf, meshNodeOf, proxyContainers } from '../../../src/core/envoy/proxy.js';

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

describe('an envoy container with another name and no proxyConfiguration (a gateway; an EC2 starter)', () => {
  const td = (containers: { name: string; image: string; environment?: { name: string; value: string }[] }[]) => ({
    family: 'gw',
    containerDefinitions: containers,
  });
  const gatewayEnv = [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualGateway/edge' }];

  it("is App Mesh's envoy image, from ECR or ECR Public, and then the gateway it serves is read", () => {
    const ecr = td([
      {
        name: 'edge-proxy',
        image: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.3.0-prod',
        environment: gatewayEnv,
      },
    ]);
    expect([...proxyContainers(ecr)]).toEqual(['edge-proxy']);
    expect(meshGatewayOf({ taskDefinition: ecr })).toEqual({ mesh: 'shop', gateway: 'edge' });
    const nodeEnv = [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/shop/virtualNode/orders' }];
    const ecrPublic = 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod';
    expect([...proxyContainers(td([{ name: 'p', image: ecrPublic, environment: nodeEnv }]))]).toEqual(['p']);
  });

  it('is not that image naming no mesh object, another image that merely mentions envoy, nor looked for beside envoy', () => {
    expect(proxyContainers(td([{ name: 'edge', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod' }])).size).toBe(0);
    expect(proxyContainers(td([{ name: 'edge', image: 'example/aws-appmesh-envoy-exporter:1', environment: gatewayEnv }])).size).toBe(0);
    expect(proxyContainers(td([{ name: 'edge', image: 'envoyproxy/envoy:v1.30', environment: gatewayEnv }])).size).toBe(0);
    const both = td([
      { name: 'envoy', image: 'example/envoy:1' },
      { name: 'spare', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod', environment: gatewayEnv },
    ]);
    expect([...proxyContainers(both)]).toEqual(['envoy']);
  });
});
