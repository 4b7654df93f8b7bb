import { describe, expect, it } from 'vitest';
import { planCluster } from '../../../src/core/migrate/plan.js';
import { familyOfTarget, type ScheduledTaskFacts } from '../../../src/core/migrate/standalone.js';
import { clusterInput, revision, serviceFacts, tdArn } from './fixtures.js';

const CLUSTER = `arn:aws:ecs:us-west-2:123456789012:cluster/shop`;

function rule(name: string, described: ScheduledTaskFacts['described'], extra: Partial<ScheduledTaskFacts> = {}): ScheduledTaskFacts {
  const arn = described?.taskDefinition.taskDefinitionArn ?? tdArn('gone', 1);
  return { kind: 'rule', name, group: 'default', targetId: 't1', cluster: CLUSTER, taskDefinitionArn: arn, described, ...extra };
}

// payments serves; reports (a scheduled job of the payments family) calls payments and an outside API.
const payments = serviceFacts('payments', revision('payments', 7));
const jobEnv = { PAYMENTS_URL: 'http://payments.local:8080/settle', BANK_URL: 'https://api.bank.example.com/' };

describe('familyOfTarget', () => {
  it.each([
    [tdArn('payments', 7), 'payments'],
    ['arn:aws:ecs:us-west-2:123456789012:task-definition/payments', 'payments'],
    ['payments:3', 'payments'],
    ['payments', 'payments'],
    ['arn:aws:lambda:us-west-2:123456789012:function:x', undefined],
  ])('%s → %s', (arn, family) => expect(familyOfTarget(arn)).toBe(family));
});

describe('planStandaloneTasks', () => {
  it('lists a rule and a schedule that start an envoy revision of a migrating family, with the aliases they call', () => {
    const job = revision('payments', 6, { env: jobEnv });
    const scheduled = [rule('nightly-settle', job), rule('hourly', job, { kind: 'schedule', group: 'jobs', targetId: undefined })];
    const plan = planCluster(clusterInput([payments], { scheduled }));
    const p = plan.services.find((s) => s.service === 'payments')!;
    expect(p.standaloneTasks).toEqual([
      {
        kind: 'rule',
        name: 'nightly-settle',
        group: 'default',
        targetId: 't1',
        cluster: CLUSTER,
        taskDefinitionArn: tdArn('payments', 6),
        calls: ['payments.local'],
      },
      {
        kind: 'schedule',
        name: 'hourly',
        group: 'jobs',
        cluster: CLUSTER,
        taskDefinitionArn: tdArn('payments', 6),
        calls: ['payments.local'],
      },
    ]);
    const warnings = p.findings.filter((f) => f.level === 'warn').map((f) => f.message);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^rule nightly-settle \(event bus default, target t1\) starts .*payments:6, a revision with envoy.*apply moves it to the envoy-free revision apply registers\. A standalone task cannot be a Service Connect client: it calls payments\.local, which will then need DNS \(a Cloud Map DNS namespace or a load balancer\)$/,
      ),
      expect.stringMatching(/^schedule hourly \(group jobs\) starts/),
    ]);
    // A warning, not an error: apply fixes it.
    expect(plan.ok).toBe(true);
  });

  it('leaves alone a target on an envoy-free revision, on another family, or whose revision could not be read', () => {
    const scheduled = [
      rule('already-moved', revision('payments', 8, { envoy: false })),
      rule('other-family', revision('billing', 2)),
      rule('unreadable', undefined, { taskDefinitionArn: tdArn('payments', 1) }),
    ];
    const plan = planCluster(clusterInput([payments], { scheduled }));
    const p = plan.services.find((s) => s.service === 'payments')!;
    expect(p.standaloneTasks).toBeUndefined();
    expect(p.findings.filter((f) => /standalone/.test(f.message))).toEqual([]);
  });

  it('a service already on Service Connect: its rule moves to the revision it runs now', () => {
    const now = revision('payments', 9, { envoy: false });
    const migrated = serviceFacts('payments', now, {
      serviceConnect: { namespace: 'local', services: [{ portName: 'http', clientAliases: [{ dnsName: 'payments.local', port: 8080 }] }] },
    });
    const plan = planCluster(clusterInput([migrated], { scheduled: [rule('nightly', revision('payments', 6, { env: jobEnv }))] }));
    const p = plan.services.find((s) => s.service === 'payments')!;
    expect(p.status).toBe('migrated');
    expect(p.standaloneTasks?.[0]).toMatchObject({ to: tdArn('payments', 9), calls: ['payments.local'] });
  });

  it('names no call when the environment names none of the aliases, and says DNS is needed all the same', () => {
    const plan = planCluster(clusterInput([payments], { scheduled: [rule('nightly', revision('payments', 6))] }));
    const p = plan.services.find((s) => s.service === 'payments')!;
    expect(p.standaloneTasks?.[0]?.calls).toEqual([]);
    expect(p.findings.find((f) => f.level === 'warn')?.message).toMatch(/the names it calls need DNS/);
  });
});
