import { describe, expect, it } from 'vitest';
import { fromTerraformState, TF_LIMITS } from '../../../src/core/mesh/sources/terraform.js';
import { InputError } from '../../../src/errors.js';

const state = (root: unknown) => ({ format_version: '1.0', values: { root_module: root } });
const mesh = { address: 'aws_appmesh_mesh.m', type: 'aws_appmesh_mesh', values: { name: 'm' } };
/** A virtual service whose mesh is not named: each one is a note. */
const orphan = (i: number) => ({ address: `aws_appmesh_virtual_service.s${i}`, type: 'aws_appmesh_virtual_service', values: {} });

describe('Terraform state limits (issue 18 item 11)', () => {
  it('reads a state of 180,000 resources without overflowing the stack', () => {
    const resources = [mesh, ...Array.from({ length: 180_000 }, (_, i) => orphan(i))];
    const [d] = fromTerraformState(state({ resources }), 'big.json');
    expect(d!.mesh).toBe('m');
    expect(d!.unresolved).toHaveLength(180_000);
  });

  it('names at most 20 problems when no resource names a mesh, and counts the rest', () => {
    const resources = Array.from({ length: 180_000 }, (_, i) => orphan(i));
    const err = (() => {
      try {
        fromTerraformState(state({ resources }), 'big.json');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/; and 179980 more$/);
  });

  it('walks modules nested as deep as the limit without recursion, and refuses deeper ones naming the limit', () => {
    const nest = (levels: number) => {
      let m: Record<string, unknown> = { resources: [mesh] };
      for (let i = 0; i < levels; i++) m = { child_modules: [m] };
      return m;
    };
    expect(fromTerraformState(state(nest(TF_LIMITS.depth)), 's.json')).toHaveLength(1);
    expect(() => fromTerraformState(state(nest(5000)), 's.json')).toThrow(`modules nested more than ${TF_LIMITS.depth} deep`);
  });

  it('refuses more resources than the limit with an InputError naming it', () => {
    const resources = Array.from({ length: TF_LIMITS.resources + 1 }, () => mesh);
    expect(() => fromTerraformState(state({ resources }), 'big.json')).toThrow(
      `big.json: values.root_module: more than ${TF_LIMITS.resources} resources; meshctl reads at most ${TF_LIMITS.resources} resources of a state`,
    );
  });
});
