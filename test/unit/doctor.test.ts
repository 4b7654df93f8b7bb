import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyAllows, runChecks, type DoctorFacts } from '../../src/core/doctor.js';
import { renderEnvoy, toDescribed, workshopEnvoyImage } from '../../src/core/render-envoy.js';

const plain = toDescribed(JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8')), 'fixture');

/** A set-up that passes every check: the workshop's task definition after add-envoy, with a current image. */
function good(): DoctorFacts {
  const { input } = renderEnvoy(plain, {
    mesh: 'appmesh-workshop',
    virtualNode: 'crystal-lb-vanilla',
    envoyImage: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod',
  });
  return {
    described: { taskDefinition: { ...input, taskDefinitionArn: plain.taskDefinition.taskDefinitionArn!.replace(/:1$/, ':2') } as never },
    taskRole: { name: 'TaskIamRole', exists: true, allowedBy: 'AWSAppMeshEnvoyAccess' },
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
      (f) => (f.taskRole = { name: 'TaskIamRole', exists: true }),
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

  it('says so when there is no envoy at all', () => {
    expect(runChecks({ described: plain })).toEqual([
      expect.objectContaining({ id: 'envoy-container', status: 'fail', fix: expect.stringMatching(/meshctl add-envoy/) }),
    ]);
  });

  it('skips the Cloud Map check for a DNS node', () => {
    const f = good();
    f.virtualNode!.spec!.serviceDiscovery = { dns: { hostname: 'crystal.appmeshworkshop.hosted.local' } };
    expect(statusOf(f, 'cloud-map')!.status).toBe('skip');
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
