import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { seedClusterWorld } from '../support/cluster-world.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { MESH } from '../support/workshop.js';

// migrate plan with a template it cannot read whole: the node a parameter names (no value given) is left out,
// which is an error naming it unless --allow-partial; and --export giving every imported name spares ListExports.
const env = useMotoWorkshop();
let proxy: FaultProxy | undefined;
let template: string;

beforeEach(async () => {
  await env.seeded('cluster', seedClusterWorld);
  template = join(env.ws.dir, 'mesh.yaml');
  writeFileSync(
    template,
    `Parameters:
  PaymentsNode: { Type: String }
Resources:
  Payments:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: !ImportValue shop-MeshName
      VirtualNodeName: !Ref PaymentsNode
      Spec:
        Listeners: [{ PortMapping: { Port: 5000, Protocol: http } }]
        ServiceDiscovery: { AWSCloudMap: { NamespaceName: local, ServiceName: payments } }
  Products:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: ${MESH}
      VirtualNodeName: products
      Spec:
        Listeners: [{ PortMapping: { Port: 5000, Protocol: http } }]
        ServiceDiscovery: { AWSCloudMap: { NamespaceName: local, ServiceName: products } }
`,
  );
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const appMeshGone = async () => (proxy = await startFaultProxy(env.moto.url, [{ kind: '403', rate: 1, match: /^\w+ \/v20190125\// }])).url;
const plan = (extra: string[]) => [
  'migrate',
  'plan',
  '--all-services',
  '--create-namespace',
  '--from-cloudformation',
  template,
  '--export',
  `shop-MeshName=${MESH}`,
  ...extra,
];

describe('migrate plan from a template it cannot read whole', () => {
  it('an object left out is exit 1 naming it and --allow-partial; no ListExports when --export gives every import', async () => {
    const r = await env.cli([...plan(['--verbose'])], {}, await appMeshGone());
    expect(r.code, r.stderr).toBe(1);
    // The plan's findings are its report, on stdout; the failure on stderr.
    expect(r.stderr).toMatch(/the plan has errors/);
    expect(r.stdout).toMatch(/virtual node Payments was left out: its name could not be resolved; .*--allow-partial to plan without it/);
    expect(r.stdout).toMatch(/Payments\.Properties\.VirtualNodeName: Ref PaymentsNode: .*pass --parameter PaymentsNode=VALUE/);
    expect(r.stderr).not.toMatch(/cloudformation\.ListExports/);
  });

  it('with --allow-partial it plans the rest, exit 0, and says what it left out', async () => {
    const r = await env.cli([...plan(['--allow-partial', '--json'])], {}, await appMeshGone());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; findings: { level: string; message: string }[] };
    expect(out.ok).toBe(true);
    expect(out.findings).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/virtual node Payments was left out: .*planned without it \(--allow-partial\)$/),
    });
  });

  it('with the value given, nothing is left out', async () => {
    const r = await env.cli([...plan(['--parameter', 'PaymentsNode=payments', '--json'])], {}, await appMeshGone());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/left out/);
  });
});
