import { describe, expect, it } from 'vitest';
import { planCleanup, type CleanupInput } from '../../src/core/cleanup-plan.js';
import { ENVOY_ACCESS_POLICY } from '../../src/core/doctor.js';

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
});
