import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKS, ENVOY_ACCESS_POLICY, runChecks, type DoctorFacts, type RolePolicy } from '../../../src/core/doctor/checks.js';
import { policyAllows, policyDenies, policyPermits } from '../../../src/core/iam-policy.js';
import { renderEnvoy, workshopEnvoyImage } from '../../../src/core/envoy/render.js';
import { toDescribed } from '../../../src/core/task-definition.js';

const plain = toDescribed(JSON.parse(readFileSync(new URL('../../fixtures/crystal-describe.json', import.meta.url), 'utf8')), 'fixture');

const ENVOY_ACCESS: RolePolicy = { kind: 'managed', name: 'AWSAppMeshEnvoyAccess', arn: ENVOY_ACCESS_POLICY };
const inline = (name: string, Effect: string, Action: string | string[]): RolePolicy => ({
  kind: 'inline',
  name,
  document: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect, Action, Resource: '*' }] })),
});

/** A set-up that passes every check: the workshop's task definition after add-envoy, with a current image. */
function good(): DoctorFacts {
  const { input } = renderEnvoy(plain, {
    mesh: 'appmesh-workshop',
    virtualNode: 'crystal-lb-vanilla',
    envoyImage: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod',
  });
  return {
    described: { taskDefinition: { ...input, taskDefinitionArn: plain.taskDefinition.taskDefinitionArn!.replace(/:1$/, ':2') } as never },
    taskRole: { name: 'TaskIamRole', exists: true, policies: [ENVOY_ACCESS] },
    virtualNode: {
      mesh: 'appmesh-workshop',
      name: 'crystal-lb-vanilla',
      exists: true,
      spec: {
        listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
        serviceDiscovery: { awsCloudMap: { namespaceName: 'appmeshworkshop.hosted.local', serviceName: 'crystal' } },
      },
    },
    registry: { namespace: 'appmeshworkshop.hosted.local', service: 'crystal' },
  };
}
const statusOf = (facts: DoctorFacts, id: string) => runChecks(facts).find((c) => c.id === id);
const app = (f: DoctorFacts) => f.described.taskDefinition.containerDefinitions![0]!;
const envoy = (f: DoctorFacts) => f.described.taskDefinition.containerDefinitions!.find((c) => c.name === 'envoy')!;
const prop = (f: DoctorFacts, name: string) => f.described.taskDefinition.proxyConfiguration!.properties!.find((p) => p.name === name)!;

describe('runChecks', () => {
  it('passes a good set-up', () => {
    const checks = runChecks(good());
    expect(checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'task-role:pass',
      'virtual-node:pass',
      'listener-port:pass',
      'cloud-map:pass',
      'awsvpc:pass',
      'ignored-uid:pass',
      'depends-on:pass',
      'egress-ignored-ips:pass',
      'image-region:pass',
    ]);
  });

  it.each<[string, string, (f: DoctorFacts) => void, RegExp]>([
    [
      'the missing envoy policy',
      'task-role',
      (f) => (f.taskRole = { name: 'TaskIamRole', exists: true, policies: [] }),
      /attach-role-policy --role-name TaskIamRole --policy-arn arn:aws:iam::aws:policy\/AWSAppMeshEnvoyAccess/,
    ],
    ['a role that does not exist', 'task-role', (f) => (f.taskRole = { name: 'Gone', exists: false }), /create role Gone/],
    ['no task role', 'task-role', (f) => (f.taskRole = undefined), /taskRoleArn/],
    [
      'a missing virtual node',
      'virtual-node',
      (f) => (f.virtualNode = { ...f.virtualNode!, exists: false, spec: undefined }),
      /create virtual node crystal-lb-vanilla in mesh appmesh-workshop/,
    ],
    [
      'a listener on another port',
      'listener-port',
      (f) => (f.virtualNode!.spec!.listeners = [{ portMapping: { port: 8080 } }]),
      /--app-ports/,
    ],
    ['AppPorts without the listener', 'listener-port', (f) => (prop(f, 'AppPorts').value = '9999'), /same/],
    [
      'another Cloud Map service',
      'cloud-map',
      (f) => (f.registry = { namespace: 'appmeshworkshop.hosted.local', service: 'ruby' }),
      /same Cloud Map service/,
    ],
    ['no service registry', 'cloud-map', (f) => (f.registry = undefined), /add serviceRegistries/],
    ['bridge networking', 'awsvpc', (f) => (f.described.taskDefinition.networkMode = 'bridge'), /awsvpc/],
    ['envoy running as another user', 'ignored-uid', (f) => (envoy(f).user = '0'), /1337/],
    ['an app that does not wait for envoy', 'depends-on', (f) => (app(f).dependsOn = []), /condition: HEALTHY/],
    [
      'metadata addresses proxied',
      'egress-ignored-ips',
      (f) => (prop(f, 'EgressIgnoredIPs').value = '169.254.170.2'),
      /169\.254\.169\.254/,
    ],
    [
      'an image from another region',
      'image-region',
      (f) => (envoy(f).image = workshopEnvoyImage('eu-west-1').replace('v1.11.2.0', 'v1.29.0.0')),
      /use the envoy image of us-west-2/,
    ],
  ])('fails %s, with a fix', (_name, id, breakIt, fix) => {
    const f = good();
    breakIt(f);
    const check = statusOf(f, id)!;
    expect(check.status).toBe('fail');
    expect(check.fix).toMatch(fix);
    expect(
      runChecks(f)
        .filter((c) => c.status === 'fail')
        .map((c) => c.id),
    ).toEqual([id]);
  });

  it('warns about the workshop envoy image', () => {
    const f = good();
    envoy(f).image = workshopEnvoyImage('us-west-2');
    expect(statusOf(f, 'image-version')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/v1\.17\.2\.0-prod or later/) });
  });

  it('gives a service without envoy the Service Connect checklist, not "run add-envoy"', () => {
    const checks = runChecks({ described: plain });
    expect(checks[0]).toMatchObject({ id: 'sc-configuration' });
    expect(checks.map((c) => c.fix ?? '').join('\n')).not.toMatch(/add-envoy/);
  });

  it('takes every title from the one table of checks', () => {
    const f = good();
    envoy(f).image = workshopEnvoyImage('us-west-2');
    f.appMeshUnreachable = 'App Mesh could not be read (DescribeVirtualNode: AccessDeniedException, HTTP 403)';
    const checks = [...runChecks(f), ...runChecks({ described: plain })];
    expect(checks.length).toBeGreaterThan(8);
    for (const c of checks) expect(c.title).toBe(CHECKS[c.id].title);
  });

  it('skips the Cloud Map check for a DNS node', () => {
    const f = good();
    f.virtualNode!.spec!.serviceDiscovery = { dns: { hostname: 'crystal.appmeshworkshop.hosted.local' } };
    expect(statusOf(f, 'cloud-map')!.status).toBe('skip');
  });
});

describe('the task role check: an explicit Deny and a permissions boundary', () => {
  const role = (policies: RolePolicy[], boundary?: { arn: string; allows: boolean }): DoctorFacts => ({
    ...good(),
    taskRole: { name: 'TaskIamRole', exists: true, policies, ...(boundary ? { boundary } : {}) },
  });

  it.each<[string, RolePolicy[], RegExp]>([
    [
      'an inline Deny of appmesh:*',
      [ENVOY_ACCESS, inline('no-mesh', 'Deny', 'appmesh:*')],
      /denied .* by inline policy no-mesh, although AWSAppMeshEnvoyAccess allows it/,
    ],
    ['an inline Deny of *', [ENVOY_ACCESS, inline('lockdown', 'Deny', '*')], /by inline policy lockdown/],
    [
      'a managed Deny of the action itself, beside an inline Allow',
      [
        {
          kind: 'managed',
          name: 'Guardrail',
          arn: 'arn:aws:iam::123456789012:policy/Guardrail',
          document: { Statement: { Effect: 'Deny', Action: 'appmesh:StreamAggregatedResources' } },
        },
        inline('mesh', 'Allow', 'appmesh:*'),
      ],
      /by managed policy Guardrail, although inline policy mesh allows it/,
    ],
  ])('fails %s even though another policy allows it', (_name, policies, detail) => {
    const check = runChecks(role(policies)).find((c) => c.id === 'task-role')!;
    expect(check).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(detail),
      fix: expect.stringMatching(/out of the Deny statements/),
    });
  });

  it('passes when a Deny names other actions only', () => {
    expect(
      runChecks(role([ENVOY_ACCESS, inline('no-s3', 'Deny', ['s3:*', 'appmesh:Delete*'])])).find((c) => c.id === 'task-role')!.status,
    ).toBe('pass');
  });

  it('fails a permissions boundary that does not allow the action, with the command that removes it', () => {
    const check = runChecks(role([ENVOY_ACCESS], { arn: 'arn:aws:iam::123456789012:policy/Boundary', allows: false })).find(
      (c) => c.id === 'task-role',
    )!;
    expect(check).toMatchObject({
      status: 'fail',
      detail: 'role TaskIamRole has a permissions boundary (Boundary) that does not allow appmesh:StreamAggregatedResources',
      fix: expect.stringMatching(/aws iam delete-role-permissions-boundary --role-name TaskIamRole$/),
    });
  });

  it('passes a permissions boundary that allows the action', () => {
    const facts = role([ENVOY_ACCESS], { arn: 'arn:aws:iam::123456789012:policy/Boundary', allows: true });
    expect(runChecks(facts).find((c) => c.id === 'task-role')!.status).toBe('pass');
  });
});

describe("the IgnoredUID check: envoy's uid or gid", () => {
  const withIds = (user: string | undefined, ids: { IgnoredUID?: string; IgnoredGID?: string }) => {
    const f = good();
    envoy(f).user = user;
    const props = f.described.taskDefinition.proxyConfiguration!.properties!.filter(
      (p) => p.name !== 'IgnoredUID' && p.name !== 'IgnoredGID',
    );
    f.described.taskDefinition.proxyConfiguration!.properties = [
      ...props,
      ...Object.entries(ids).map(([name, value]) => ({ name, value })),
    ];
    return runChecks(f).find((c) => c.id === 'ignored-uid')!;
  };

  it.each<[string | undefined, { IgnoredUID?: string; IgnoredGID?: string }, string]>([
    ['1337', { IgnoredUID: '1337' }, 'pass'],
    ['1337:1337', { IgnoredUID: '1337' }, 'pass'],
    ['1337:1337', { IgnoredGID: '1337' }, 'pass'],
    ['0:1337', { IgnoredGID: '1337' }, 'pass'],
    ['1337:0', { IgnoredUID: '1337', IgnoredGID: '2000' }, 'pass'],
    ['0:2000', { IgnoredUID: '1337', IgnoredGID: '2000' }, 'pass'],
    ['1337', { IgnoredGID: '1337' }, 'warn'],
    ['1338:1337', { IgnoredUID: '1337' }, 'fail'],
    ['0', { IgnoredUID: '1337' }, 'fail'],
    ['1337:0', { IgnoredGID: '1337' }, 'fail'],
    [undefined, { IgnoredUID: '1337' }, 'fail'],
    ['1337', {}, 'fail'],
  ])('user %s with %j: %s', (user, ids, status) => {
    expect(withIds(user, ids).status).toBe(status);
  });

  it('names the uid:gid to set when only IgnoredGID is given', () => {
    expect(withIds('1337', { IgnoredGID: '1337' }).fix).toBe("set envoy's user to 1337:1337");
    expect(withIds('1337:0', { IgnoredGID: '1337' }).fix).toBe("set envoy's user to 1337:1337 (a uid:gid)");
  });
});

describe('App Mesh out of reach', () => {
  const gone = (): DoctorFacts => ({
    ...good(),
    virtualNode: undefined,
    appMeshUnreachable: 'App Mesh could not be read (DescribeVirtualNode: AccessDeniedException, HTTP 403)',
  });

  it('says so in one line and runs every check that does not need it', () => {
    const checks = runChecks(gone());
    expect(checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'app-mesh:skip',
      'task-role:pass',
      'awsvpc:pass',
      'ignored-uid:pass',
      'depends-on:pass',
      'egress-ignored-ips:pass',
      'image-region:pass',
    ]);
    expect(checks[0]!.detail).toBe(
      'App Mesh could not be read (DescribeVirtualNode: AccessDeniedException, HTTP 403): the checks that need it were skipped (virtual-node, listener-port, cloud-map)',
    );
  });

  it('still fails a check that ran', () => {
    const f = gone();
    f.taskRole = { name: 'TaskIamRole', exists: true, policies: [] };
    expect(
      runChecks(f)
        .filter((c) => c.status === 'fail')
        .map((c) => c.id),
    ).toEqual(['task-role']);
  });
});

describe('policyDenies and policyPermits', () => {
  it.each([
    [{ Statement: [{ Effect: 'Deny', Action: 'appmesh:*' }] }, true],
    [{ Statement: [{ Effect: 'Deny', Action: '*' }] }, true],
    [{ Statement: [{ Effect: 'Deny', Action: 'AppMesh:streamaggregatedresources' }] }, true],
    [{ Statement: [{ Effect: 'Deny', NotAction: 's3:*' }] }, true],
    [{ Statement: [{ Effect: 'Deny', NotAction: 'appmesh:*' }] }, false],
    [{ Statement: [{ Effect: 'Deny', Action: 'appmesh:Describe*' }] }, false],
    [{ Statement: [{ Effect: 'Allow', Action: 'appmesh:*' }] }, false],
  ])('%j denies: %s', (doc, denies) => {
    expect(policyDenies(doc, 'appmesh:StreamAggregatedResources')).toBe(denies);
  });

  it('permits only what a document allows and does not deny', () => {
    const both = {
      Statement: [
        { Effect: 'Allow', Action: '*' },
        { Effect: 'Deny', Action: 'appmesh:*' },
      ],
    };
    expect(policyPermits(both, 'appmesh:StreamAggregatedResources')).toBe(false);
    expect(policyPermits({ Statement: [{ Effect: 'Allow', Action: 'appmesh:Stream*' }] }, 'appmesh:StreamAggregatedResources')).toBe(true);
  });
});

describe('policyAllows', () => {
  it.each([
    [{ Statement: [{ Effect: 'Allow', Action: 'appmesh:StreamAggregatedResources', Resource: '*' }] }, true],
    [{ Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 'appmesh:*'], Resource: '*' }] }, true],
    [{ Statement: { Effect: 'Allow', Action: 'appmesh:Stream*', Resource: '*' } }, true],
    [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, true],
    [{ Statement: [{ Effect: 'Deny', Action: 'appmesh:*', Resource: '*' }] }, false],
    [{ Statement: [{ Effect: 'Allow', Action: 'appmesh:DescribeMesh', Resource: '*' }] }, false],
    [encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'appmesh:StreamAggregatedResources' }] })), true],
  ])('%j: %s', (doc, allows) => {
    expect(policyAllows(doc, 'appmesh:StreamAggregatedResources')).toBe(allows);
  });
});
