import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMeshSources } from '../../src/steps/migrate-cluster.js';

const file = fileURLToPath(new URL('../../examples/local-mesh.yaml', import.meta.url));

describe('each mesh source names itself once', () => {
  it('a mesh file is "mesh file PATH", never "mesh file mesh file PATH"', async () => {
    const [mesh] = await readMeshSources({ meshFile: file });
    expect(mesh!.source).toBe(`mesh file ${file}`);
  });
});
