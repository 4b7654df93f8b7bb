import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { projectRoot } from '../support/paths.js';

const fixture = (name: string) => join(projectRoot(), 'test/fixtures', name);

// Offline: mesh import reads a file, never AWS (no endpoint is even set).
describe('meshctl mesh import', () => {
  it('writes the mesh file for a CloudFormation template, which mesh plan then reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshctl-import-'));
    const out = join(dir, 'mesh.yaml');
    const r = await runCli(['mesh', 'import', '--from-cloudformation', fixture('cfn-appmesh.yaml'), '-o', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/name: appmesh-workshop/);
    expect(text).toMatch(/crystal-lb-vanilla/);
    const again = await runCli(['mesh', 'import', '--from-cloudformation', fixture('cfn-appmesh.yaml'), '-o', out], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--output: .* already exists; pass --force/);
  });

  it('reads Terraform state, and says on stderr what the mesh file cannot hold: exit 2 unless --allow-partial', async () => {
    const refused = await runCli(['mesh', 'import', '--from-terraform', fixture('terraform-appmesh.json'), '--json']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/could not be imported \(named above\); pass the values they name, or --allow-partial/);
    const r = await runCli(['mesh', 'import', '--from-terraform', fixture('terraform-appmesh.json'), '--json', '--allow-partial']);
    expect(r.code, r.stderr).toBe(0);
    const file = JSON.parse(r.stdout);
    expect(file.mesh.name).toBe('local-mesh');
    expect(file.namespace.name).toBe('local');
    expect(r.stderr).toMatch(/virtual node "products": listener 9080\/grpc left out/);
    const other = await runCli(['mesh', 'import', '--from-terraform', fixture('terraform-appmesh.json'), '--mesh', 'nope']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/no mesh "nope" \(found: local-mesh\)/);
  });

  it('refuses both sources, or none (exit 2)', async () => {
    const none = await runCli(['mesh', 'import']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/pass --from-cloudformation, --from-stack or --from-terraform/);
  });
});
