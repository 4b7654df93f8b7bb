import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { REGION } from '../support/workshop.js';

const env = useMotoWorkshop();
const cli = (args: string[], url?: string) => env.cli(args, {}, url);
const iam = () =>
  new IAMClient({ endpoint: env.moto.url, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

const CURRENT_ENVOY = '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod';

/** The workshop's task role, as its stack makes it (the seed's task definition names it). */
async function createTaskRole(withEnvoyAccess: boolean): Promise<void> {
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  await iam().send(new CreateRoleCommand({ RoleName: 'appmesh-workshop-TaskIamRole', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  if (withEnvoyAccess) {
    await iam().send(
      new AttachRolePolicyCommand({ RoleName: 'appmesh-workshop-TaskIamRole', PolicyArn: 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess' }),
    );
  }
}

describe('meshctl doctor against moto', () => {
  beforeEach(async () => {
    expect((await cli(['add-envoy', '--envoy-image', CURRENT_ENVOY])).code).toBe(0);
    expect((await cli(['update-service'])).code).toBe(0);
  });

  it('passes the workshop set-up after a rollout', async () => {
    await createTaskRole(true);
    const r = await cli(['doctor', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.checks.find((c: { id: string }) => c.id === 'task-role')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/allowed by AWSAppMeshEnvoyAccess/),
    });
  });

  it("catches the runbook author's failure: the task role lacks AWSAppMeshEnvoyAccess", async () => {
    await createTaskRole(false);
    const r = await cli(['doctor']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✖ the task role allows appmesh:StreamAggregatedResources: role appmesh-workshop-TaskIamRole has no policy/);
    expect(r.stdout).toMatch(
      /fix: aws iam attach-role-policy --role-name appmesh-workshop-TaskIamRole --policy-arn arn:aws:iam::aws:policy\/AWSAppMeshEnvoyAccess/,
    );
    expect(r.stderr).toMatch(/error: doctor: task-role failed/);
  });

  it('gives a service without envoy the Service Connect checklist instead of "run add-envoy"', async () => {
    await createTaskRole(true);
    expect((await cli(['update-service', '--task-definition', 'appmesh-workshop-crystal-lb-vanilla:1'])).code).toBe(0);
    const r = await cli(['doctor']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Service Connect checks for crystal-service-lb in appmesh-workshop \(it runs no envoy\):\n/);
    expect(r.stdout).toMatch(
      /! the service has a Service Connect configuration: the service's answer holds no serviceConnectConfiguration/,
    );
    // The workshop's revision names no port: Service Connect could publish none.
    expect(r.stdout).toMatch(/! its portNames are named ports of the task definition: .* names no port mapping/);
    expect(r.stdout).not.toMatch(/add-envoy/);
  });
});

describe('meshctl doctor with App Mesh out of reach (403 on every App Mesh call)', () => {
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it.each([
    [true, 0],
    [false, 1],
  ])('says so in one line and runs the other checks; task role with AWSAppMeshEnvoyAccess %s: exit %i', async (withEnvoyAccess, code) => {
    await createTaskRole(withEnvoyAccess);
    expect((await cli(['add-envoy', '--envoy-image', CURRENT_ENVOY])).code).toBe(0);
    expect((await cli(['update-service'])).code).toBe(0);
    proxy = await startFaultProxy(env.moto.url, [{ kind: '403', rate: 1, match: /^\w+ \/v20190125\// }]);
    const r = await cli(['doctor'], proxy.url);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stdout.split('\n').filter((l) => /App Mesh/.test(l) && !/AWSAppMeshEnvoyAccess/.test(l))).toEqual([
      'App Mesh checks for crystal-service-lb in appmesh-workshop (it runs envoy):',
      '– App Mesh can be read: App Mesh could not be read (DescribeVirtualNode: AccessDeniedException, HTTP 403): the checks that need it were skipped (virtual-node, listener-port, cloud-map)',
    ]);
    expect(r.stdout).toMatch(/✔ the task uses awsvpc networking/);
    expect(r.stdout).toMatch(withEnvoyAccess ? /✔ the task role allows/ : /✖ the task role allows/);
    expect(r.stdout).not.toMatch(/virtual node envoy names/);
    expect(proxy.injected.map((i) => i.operation)).toContain(`GET /v20190125/meshes/appmesh-workshop/virtualNodes/crystal-lb-vanilla`);
  });
});
