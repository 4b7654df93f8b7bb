import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

  it('reads Terraform state whole: every listener, the retry policy, the timeout, nothing left out', async () => {
    const r = await runCli(['mesh', 'import', '--from-terraform', fixture('terraform-appmesh.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const file = JSON.parse(r.stdout);
    expect(file.mesh.name).toBe('local-mesh');
    expect(file.namespace.name).toBe('local');
    const products = file.virtualNodes.find((n: { name: string }) => n.name === 'products');
    expect(products.listeners.map((l: { port: number; protocol: string }) => `${l.port}/${l.protocol}`)).toEqual([
      '5000/http',
      '9080/grpc',
    ]);
    expect(file.virtualRouters.flatMap((vr: { routes: object[] }) => vr.routes).some((rt: object) => 'retryPolicy' in rt)).toBe(true);
    expect(r.stderr).not.toMatch(/left out/);
    const other = await runCli(['mesh', 'import', '--from-terraform', fixture('terraform-appmesh.json'), '--mesh', 'nope']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/no mesh "nope" \(found: local-mesh\)/);
  });

  it('refuses both sources, or none (exit 2)', async () => {
    const none = await runCli(['mesh', 'import']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/pass --from-cloudformation, --from-stack or --from-terraform/);
  });

  it('a state with thousands of problems prints the first hundred and how many more, then refuses (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshctl-import-'));
    const orphans = Array.from({ length: 2_000 }, (_, i) => ({
      address: `aws_appmesh_virtual_service.s${i}`,
      type: 'aws_appmesh_virtual_service',
      values: {},
    }));
    const resources = [{ address: 'aws_appmesh_mesh.m', type: 'aws_appmesh_mesh', values: { name: 'm' } }, ...orphans];
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify({ format_version: '1.0', values: { root_module: { resources } } }));
    const r = await runCli(['mesh', 'import', '--from-terraform', file], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(101);
    expect(warnings.at(-1)).toBe('warning: … and 1900 more like these');
    expect(r.stderr).toMatch(/2000 thing\(s\) could not be imported/);
  });
});
