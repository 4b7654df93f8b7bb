import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedClusterWorld } from '../support/cluster-world.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { REGION } from '../support/workshop.js';

// doctor on a service after `meshctl migrate apply`, as a user runs it. moto leaves serviceConnectConfiguration
// out of DescribeServices, so doctor says so in one line and runs the checks that do not need it; the full
// checklist runs against mocked AWS in test/unit/doctor-service-connect.test.ts.

const env = useMotoWorkshop();
const { cli } = env;
const ROLE = 'appmesh-workshop-TaskIamRole';

/** The role the cluster's task definitions name, as the workshop's stack made it: AWSAppMeshEnvoyAccess attached. */
async function createTaskRole(): Promise<void> {
  const iam = new IAMClient({
    endpoint: env.moto.url,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const trust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess' }));
}

interface Check {
  id: string;
  status: string;
  detail: string;
  fix?: string;
}

beforeEach(async () => {
  await env.seeded('cluster', seedClusterWorld);
  const r = await env.withScheduler(() => cli(['migrate', 'apply', '--service', 'payments', '--interval', '1s', '--timeout', '30s']));
  expect(r.code, r.stderr).toBe(0);
});

describe('meshctl doctor after meshctl migrate apply, against moto', () => {
  it('gives the migrated service the Service Connect checklist: ports named with appProtocol; the leftover envoy policy warns', async () => {
    await createTaskRole();
    const r = await cli(['doctor', '--service', 'payments', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; service: string; checklist: string; checks: Check[] };
    expect(out).toMatchObject({ ok: true, service: 'payments', checklist: 'service-connect' });
    expect(out.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'sc-configuration:warn',
      'sc-port-names:pass',
      'sc-app-protocol:pass',
      'sc-task-role:warn',
    ]);
    const [configuration, ports, protocol, role] = out.checks;
    expect(configuration!.detail).toMatch(
      /^the service's answer holds no serviceConnectConfiguration .*: the checks that need it were skipped/,
    );
    expect(ports!.detail).toBe('named ports: payments (payments 5000)');
    expect(protocol!.detail).toBe('appProtocol: payments (5000) http');
    expect(role!.fix).toMatch(
      new RegExp(`^aws iam detach-role-policy --role-name ${ROLE} --policy-arn arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess `),
    );
    expect(r.stdout).not.toMatch(/add-envoy/);
  });

  it('fails (exit 1) while the task role the migrated revision names does not exist, and passes once it does', async () => {
    const missing = await cli(['doctor', '--service', 'payments']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(new RegExp(`✖ the task role exists and holds no App Mesh-only policy: role ${ROLE} does not exist`));
    expect(missing.stderr).toMatch(/error: doctor: sc-task-role failed/);

    await createTaskRole();
    const present = await cli(['doctor', '--service', 'payments']);
    expect(present.code, present.stderr).toBe(0);
    expect(present.stdout).toMatch(/^Service Connect checks for payments in appmesh-workshop \(it runs no envoy\):\n/);
    expect(present.stdout).toMatch(/no check failed; 2 of 4 warned\n$/);
  });
});
