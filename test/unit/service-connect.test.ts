import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvoy, toDescribed, workshopEnvoyImage, type DescribedTaskDefinition } from '../../src/core/render-envoy.js';
import { meshNodeOf } from '../../src/core/service-connect.js';

const original = toDescribed(JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8')), 'fixture');
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
