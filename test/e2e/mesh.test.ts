import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { useMotoWorkshop } from '../support/moto-workshop.js';
import { sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop();
const { cli } = env;

/** The moto-sized runbook mesh, in the seeded VPC. */
async function meshFile(edit: (text: string) => string = (t) => t): Promise<string> {
  const vpc = (await sdkClients(env.moto.url).ec2.send(new DescribeVpcsCommand({}))).Vpcs!.find((v) => !v.IsDefault)!.VpcId!;
  const path = join(env.ws.dir, `mesh-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, edit(readFileSync(new URL('../fixtures/mesh-moto.yaml', import.meta.url), 'utf8').replace('VPC_ID', vpc)));
  return path;
}
const actions = (stdout: string) =>
  JSON.parse(stdout).actions.map((a: { kind: string; name: string; action: string; status: string }) => `${a.action} ${a.kind} ${a.name}`);

describe('meshctl mesh against moto', () => {
  it('plans, applies, and a second apply changes nothing', async () => {
    const file = await meshFile();
    const plan = await cli(['mesh', 'plan', '-f', file, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(actions(plan.stdout)).toEqual([
      'create namespace local',
      'create cloudMapService payments',
      'create cloudMapService products',
      'create mesh local-mesh',
      'create virtualNode payments',
      'create virtualNode products',
      'create virtualRouter payments-router',
      'create virtualRouter products-router',
      'create route payments-route',
      'create route products-route',
    ]);
    const apply = await cli(['mesh', 'apply', '-f', file, '--json']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(JSON.parse(apply.stdout).actions.every((a: { status: string }) => a.status === 'done')).toBe(true);
    const again = await cli(['mesh', 'apply', '-f', file]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /note: nothing to change: what exists matches the file\n0 to create, 0 to update, 0 to delete, 10 unchanged/,
    );
  });

  it('shows field-level differences and updates only what changed', async () => {
    expect((await cli(['mesh', 'apply', '-f', await meshFile()])).code).toBe(0);
    const changed = await meshFile((t) =>
      t.replace('prefix: /\n        targets: [{ virtualNode: payments', 'prefix: /pay\n        targets: [{ virtualNode: payments'),
    );
    const plan = await cli(['mesh', 'plan', '-f', changed]);
    expect(plan.stdout).toMatch(/~ route payments-router\/payments-route\n {4}~ prefix: "\/" -> "\/pay"/);
    expect(plan.stdout).toMatch(/0 to create, 1 to update, 0 to delete, 9 unchanged/);
    expect((await cli(['mesh', 'apply', '-f', changed])).code).toBe(0);
    expect((await cli(['mesh', 'plan', '-f', changed])).stdout).toMatch(/0 to update/);
  });

  it('exports a mesh so that export then plan shows no change', async () => {
    expect((await cli(['mesh', 'apply', '-f', await meshFile()])).code).toBe(0);
    const out = join(env.ws.dir, 'exported.yaml');
    const exported = await cli(['mesh', 'export', '--mesh', 'local-mesh', '-o', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/name: local-mesh/);
    const plan = await cli(['mesh', 'plan', '-f', out]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/0 to create, 0 to update, 0 to delete, 10 unchanged/);
  });

  it('leaves undeclared objects alone unless --prune, which deletes them in reverse order', async () => {
    expect((await cli(['mesh', 'apply', '-f', await meshFile()])).code).toBe(0);
    const smaller = await meshFile((t) => t.slice(0, t.indexOf('  - name: products-router')));
    expect((await cli(['mesh', 'plan', '-f', smaller])).stdout).toMatch(/0 to delete/);
    const pruned = await cli(['mesh', 'apply', '-f', smaller, '--prune', '--json']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stderr).toMatch(/--prune will delete:\n {2}- route products-router\/products-route\n {2}- virtualRouter products-router/);
    expect(actions(pruned.stdout).filter((a: string) => a.startsWith('delete'))).toEqual([
      'delete route products-route',
      'delete virtualRouter products-router',
    ]);
    expect((await cli(['mesh', 'plan', '-f', smaller, '--prune'])).stdout).toMatch(/0 to create, 0 to update, 0 to delete/);
  });

  it('deletes what the file declares, in reverse order, only with --yes when there is no terminal', async () => {
    const file = await meshFile();
    expect((await cli(['mesh', 'apply', '-f', file])).code).toBe(0);
    const refused = await cli(['mesh', 'delete', '-f', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);
    const r = await cli(['mesh', 'delete', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const done = actions(r.stdout);
    expect(done.slice(0, 2).sort()).toEqual(['delete route payments-route', 'delete route products-route']);
    expect(done).toContain('delete mesh local-mesh');
    expect(done.at(-1)).toBe('delete namespace local');
    expect((await cli(['mesh', 'plan', '-f', file])).stdout).toMatch(/10 to create/);
  });

  it('names the path of an invalid field, exit 2', async () => {
    const bad = await meshFile((t) =>
      t.replace(
        'listener: { port: 5000, protocol: http }\n    serviceDiscovery:\n      cloudMap: { namespace: local, service: products }',
        'listener: { port: 70000, protocol: http }\n    serviceDiscovery:\n      cloudMap: { namespace: local, service: products }',
      ),
    );
    const r = await cli(['mesh', 'plan', '-f', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/virtualNodes\[1\]\.listener\.port: must be a whole number from 1 to 65535, found 70000/);
  });
});
