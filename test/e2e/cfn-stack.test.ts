import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/environment.js';
import { seedClusterWorld } from '../support/cluster-world.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import type { Workshop } from '../support/workshop.js';
import { projectRoot } from '../support/paths.js';

// A stack of the shape AWS's App Mesh ECS walkthroughs deploy (parameters without defaults, Fn::Sub'd names,
// a Cloud Map service read by Fn::GetAtt Name, a condition), deployed on moto. moto 5.2.1's CloudFormation
// creates the ECS cluster and skips the AWS::AppMesh::* and AWS::ServiceDiscovery::* resources (it does not
// know them): meshctl reads the template as it was deployed, so what moto skipped is still described.
const TEMPLATE = join(projectRoot(), 'test/fixtures/cfn-howto-cloudmap.yaml');
const STACK = 'howto-mesh';
const env = useMotoWorkshop();
let proxy: FaultProxy | undefined;

beforeEach(async () => {
  // The cluster world and the stack, deployed once in this server (env.seeded); each test gets them afresh.
  await env.seeded('cluster,howto-stack', deployHowtoStack);
});

async function deployHowtoStack(url: string, ws: Workshop): Promise<void> {
  await seedClusterWorld(url, ws);
  const cfn = new CloudFormationClient({ endpoint: url, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS } });
  await cfn.send(
    new CreateStackCommand({
      StackName: STACK,
      TemplateBody: readFileSync(TEMPLATE, 'utf8'),
      Parameters: [
        { ParameterKey: 'ProjectName', ParameterValue: 'howto' },
        { ParameterKey: 'EnvironmentName', ParameterValue: 'dev' },
      ],
    }),
  );
  const resources = await cfn.send(new ListStackResourcesCommand({ StackName: STACK }));
  // What moto deployed: the cluster only (the App Mesh and Cloud Map resources are skipped).
  expect(resources.StackResourceSummaries?.map((r) => r.ResourceType)).toContain('AWS::ECS::Cluster');
}
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** App Mesh's REST paths answered 403; every other service passes. */
const appMeshGone = async () => (proxy = await startFaultProxy(env.moto.url, [{ kind: '403', rate: 1, match: /^\w+ \/v20190125\// }])).url;

interface MeshFileOut {
  mesh: { name: string };
  namespace: { name: string; services: string[] };
  virtualNodes: { name: string; serviceDiscovery: unknown; backends: string[] }[];
  virtualServices: { name: string }[];
}
const EXPECTED = {
  mesh: 'howto',
  namespace: { name: 'howto.pvt.local', services: ['color', 'front'] },
  nodes: [
    ['howto-color-node', { cloudMap: { namespace: 'howto.pvt.local', service: 'color' } }, []],
    ['howto-front-node', { cloudMap: { namespace: 'howto.pvt.local', service: 'front' } }, ['color.howto.pvt.local']],
  ],
};
const shape = (out: MeshFileOut) => ({
  mesh: out.mesh.name,
  namespace: out.namespace,
  nodes: out.virtualNodes.map((n) => [n.name, n.serviceDiscovery, n.backends]),
});

describe('CloudFormation as it was deployed', () => {
  it('mesh import --from-stack reads the template, its parameters and resources, with App Mesh unreachable', async () => {
    const r = await env.cli(['mesh', 'import', '--from-stack', STACK, '--json'], {}, await appMeshGone());
    expect(r.code, r.stderr).toBe(0);
    // The canary node's Condition is false in the stack: CloudFormation did not create it, so it is no loss.
    expect(shape(JSON.parse(r.stdout) as MeshFileOut)).toEqual(EXPECTED);
  });

  it('the same template as a file with --parameter, and with --parameters-file, gives the same mesh file', async () => {
    const given = ['--parameter', 'ProjectName=howto', '--parameter', 'EnvironmentName=dev'];
    const r = await env.cli(['mesh', 'import', '--from-cloudformation', TEMPLATE, ...given, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(shape(JSON.parse(r.stdout) as MeshFileOut)).toEqual(EXPECTED);
    const file = join(env.ws.dir, 'params.json');
    writeFileSync(file, JSON.stringify([{ ParameterKey: 'ProjectName', ParameterValue: 'howto' }]));
    const fromFile = await env.cli(['mesh', 'import', '--from-cloudformation', TEMPLATE, '--parameters-file', file, '--json']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(shape(JSON.parse(fromFile.stdout) as MeshFileOut)).toEqual(EXPECTED);
  });

  it('a template file without the values it needs: exit 2, naming the path and the flag to pass', async () => {
    const r = await env.cli(['mesh', 'import', '--from-cloudformation', TEMPLATE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Mesh\.Properties\.MeshName: Ref ProjectName: .*pass --parameter ProjectName=VALUE/);
    const unknown = await env.cli(['mesh', 'import', '--from-cloudformation', TEMPLATE, '--parameter', 'Project=howto']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /--parameter Project: no such parameter in .* \(its parameters: ProjectName, EnvironmentName, EnableCanary\)/,
    );
  });

  it('a stack that does not exist: exit 3 naming it', async () => {
    const r = await env.cli(['mesh', 'import', '--from-stack', 'no-such-stack']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--from-stack: stack "no-such-stack" does not exist/);
  });

  it('migrate plan --from-stack reads the stack with App Mesh unreachable', async () => {
    const r = await env.cli(
      ['migrate', 'plan', '--all-services', '--create-namespace', '--from-stack', STACK, '--json'],
      {},
      await appMeshGone(),
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; notes: string[] };
    expect(out.ok).toBe(true);
    expect(out.notes.join('\n')).toMatch(/stack howto-mesh/);
  });
});
