import { describe, expect, it } from 'vitest';
import { appMeshResourcesOf, planCleanup, type CleanupInput } from '../../../src/core/migrate/cleanup-plan.js';
import { ENVOY_ACCESS_POLICY } from '../../../src/core/doctor/checks.js';

const td = (family: string, rev: number) => `arn:aws:ecs:us-west-2:123456789012:task-definition/${family}:${rev}`;
const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const appMeshOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'appmesh:*', Resource: '*' }] };
const s3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };

const base = (): CleanupInput => ({
  revisions: [
    { arn: td('crystal', 1), envoy: false, gateway: false, taskRoleArn: role('crystal-task') },
    { arn: td('crystal', 2), envoy: true, gateway: false, taskRoleArn: role('crystal-task') },
    { arn: td('crystal', 3), envoy: true, gateway: false, taskRoleArn: role('crystal-task') },
    { arn: td('crystal', 4), envoy: false, gateway: false, taskRoleArn: role('crystal-task') },
    { arn: td('payments', 1), envoy: true, gateway: false, taskRoleArn: role('payments-task') },
    { arn: td('gateway', 1), envoy: true, gateway: true, taskRoleArn: role('gateway-task') },
  ],
  inUse: [td('crystal', 4), td('payments', 1), td('gateway', 1)],
  roles: [
    {
      name: 'crystal-task',
      arn: role('crystal-task'),
      attached: [ENVOY_ACCESS_POLICY],
      inline: [
        { name: 'mesh', document: appMeshOnly },
        { name: 'files', document: s3 },
      ],
    },
    { name: 'payments-task', arn: role('payments-task'), attached: [ENVOY_ACCESS_POLICY], inline: [] },
    { name: 'gateway-task', arn: role('gateway-task'), attached: [ENVOY_ACCESS_POLICY], inline: [] },
  ],
  cloudMapServices: [
    { id: 'srv-1', name: 'payments', namespace: 'local' },
    { id: 'srv-2', name: 'old', namespace: 'local' },
  ],
  registered: ['srv-1'],
  gatewayServices: ['gateway'],
  keep: 1,
});

describe('migrate cleanup: what goes and what is only listed', () => {
  it('deregisters unused envoy revisions beyond the newest kept, never one in use, never an envoy-free one', () => {
    expect(planCleanup(base()).deregister).toEqual([td('crystal', 2)]);
    expect(planCleanup({ ...base(), keep: 0 }).deregister).toEqual([td('crystal', 3), td('crystal', 2)]);
    expect(planCleanup({ ...base(), keep: 5 }).deregister).toEqual([]);
  });

  it('removes App Mesh permissions only from roles no remaining envoy task uses, and only inline policies that allow nothing else', () => {
    const plan = planCleanup({ ...base(), keep: 0 });
    expect(plan.detach).toEqual([{ role: 'crystal-task', policyArn: ENVOY_ACCESS_POLICY }]);
    expect(plan.deleteInline).toEqual([{ role: 'crystal-task', policy: 'mesh' }]);
  });

  it('keeps the permissions while a kept envoy revision is still in use', () => {
    const plan = planCleanup({ ...base(), inUse: [td('crystal', 3), td('payments', 1)] });
    expect(plan.detach.map((d) => d.role)).not.toContain('crystal-task');
  });

  it('lists Cloud Map services nobody registers in and the gateway leftovers, without deleting them', () => {
    expect(planCleanup(base()).listed).toEqual([
      expect.objectContaining({ kind: 'Cloud Map service', name: 'old.local' }),
      expect.objectContaining({ kind: 'gateway task definition', name: td('gateway', 1) }),
      expect.objectContaining({ kind: 'gateway service', name: 'gateway' }),
    ]);
  });

  it('finds the AWS::AppMesh::* resources a template declares, by logical ID, and nothing in what is not a template', () => {
    const template = {
      Resources: {
        Mesh: { Type: 'AWS::AppMesh::Mesh' },
        Node: { Type: 'AWS::AppMesh::VirtualNode', Properties: { MeshName: { Ref: 'Mesh' } } },
        Role: { Type: 'AWS::IAM::Role' },
        Odd: { Type: 'Custom::AWS::AppMesh::Mesh' },
        Broken: null,
      },
    };
    expect(appMeshResourcesOf(template)).toEqual([
      { logicalId: 'Mesh', type: 'AWS::AppMesh::Mesh' },
      { logicalId: 'Node', type: 'AWS::AppMesh::VirtualNode' },
    ]);
    for (const notATemplate of [null, 'text', [], { Resources: [] }, { Resources: 'x' }])
      expect(appMeshResourcesOf(notATemplate)).toEqual([]);
  });

  it('lists the stacks that declare App Mesh resources, with their logical IDs, and only those', () => {
    const plan = planCleanup({
      ...base(),
      stacks: [
        { name: 'mesh-stack', appMesh: [{ logicalId: 'Node', type: 'AWS::AppMesh::VirtualNode' }] },
        { name: 'network', appMesh: [] },
      ],
    });
    const stacks = plan.listed.filter((l) => l.kind === 'CloudFormation stack');
    expect(stacks).toEqual([
      {
        kind: 'CloudFormation stack',
        name: 'mesh-stack',
        why: expect.stringMatching(/^declares Node \(AWS::AppMesh::VirtualNode\); remove them/),
        resources: [{ logicalId: 'Node', type: 'AWS::AppMesh::VirtualNode' }],
      },
    ]);
    expect(plan.listed.filter((l) => l.kind !== 'CloudFormation stack').every((l) => l.resources === null)).toBe(true);
  });

  it("lists private records that point at an orphaned Cloud Map service or a gateway service's load balancer, not others", () => {
    const plan = planCleanup({
      ...base(),
      gatewayDnsNames: ['internal-gw-123.us-west-2.elb.amazonaws.com'],
      records: [
        { zone: 'shop.internal', name: 'old.shop.internal', type: 'CNAME', values: ['Old.Local.'] },
        { zone: 'shop.internal', name: 'payments.shop.internal', type: 'CNAME', values: ['payments.local'] },
        {
          zone: 'shop.internal',
          name: 'gw.shop.internal',
          type: 'A',
          values: [],
          aliasTarget: 'internal-gw-123.us-west-2.elb.amazonaws.com',
        },
        { zone: 'shop.internal', name: 'other.shop.internal', type: 'A', values: ['10.0.0.1'] },
      ],
    });
    const records = plan.listed.filter((l) => l.kind === 'Route 53 record');
    expect(records.map((r) => r.name)).toEqual(['old.shop.internal CNAME (zone shop.internal)', 'gw.shop.internal A (zone shop.internal)']);
    expect(records[0]!.why).toMatch(/Cloud Map service old\.local, which no ECS service registers in/);
    expect(records[1]!.why).toMatch(/load balancer of a virtual gateway service/);
  });
});
