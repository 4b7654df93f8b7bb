import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';

import { useMotoWorkshop } from '../support/moto-workshop.js';
import { REGION } from '../support/workshop.js';

const env = useMotoWorkshop({ managedPolicies: true });
const { cli } = env;
const iam = () =>
  new IAMClient({ endpoint: env.moto.url, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

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
    expect(
      (await cli(['add-envoy', '--envoy-image', '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod'])).code,
    ).toBe(0);
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

  it('says when the service has no envoy yet', async () => {
    await createTaskRole(true);
    expect((await cli(['update-service', '--task-definition', 'appmesh-workshop-crystal-lb-vanilla:1'])).code).toBe(0);
    const r = await cli(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/has no container named envoy\n {4}fix: run meshctl add-envoy/);
  });
});
