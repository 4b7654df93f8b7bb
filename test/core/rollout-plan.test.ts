import { describe, expect, it } from 'vitest';
import {
  addEnvoyPlanLine,
  nextRevision,
  shortRevision,
  updateServicePlanLine,
  verifyPlanLine,
  waitRunningPlanLine,
  type AddEnvoyPlan,
} from '../../src/core/rollout-plan.js';

const ARN = 'arn:aws:ecs:us-west-2:123456789012:task-definition/';

describe('nextRevision', () => {
  it.each([
    ['one past the source alone', `${ARN}crystal:1`, [], `${ARN}crystal:2`],
    [
      'one past the highest listed, not the source',
      `${ARN}crystal:1`,
      [`${ARN}crystal:1`, `${ARN}crystal:7`, `${ARN}crystal:3`],
      `${ARN}crystal:8`,
    ],
    ['only the family counts (a prefix match is another family)', `${ARN}crystal:2`, [`${ARN}crystal-lb:9`], `${ARN}crystal:3`],
    ['family:rev without an ARN', 'crystal:4', [], 'crystal:5'],
    ['no source: from the listing, written short', undefined, [`${ARN}crystal:2`], 'crystal:3'],
    ['nothing known: revision 1', undefined, [], 'crystal:1'],
  ] as const)('%s', (_name, source, listed, expected) => {
    expect(nextRevision('crystal', source, listed)).toBe(expected);
  });
});

describe('plan lines', () => {
  const register: AddEnvoyPlan = {
    action: 'register',
    family: 'crystal',
    sourceTaskDefinitionArn: `${ARN}crystal:1`,
    taskDefinitionArn: `${ARN}crystal:2`,
    virtualNode: 'mesh/m/virtualNode/n',
    meshCheck: 'passed',
  };
  it.each([
    ['a registration checked', register, 'would register crystal:2 (from crystal:1; its virtual node exists)'],
    [
      '--skip-mesh-check',
      { ...register, meshCheck: 'skipped' },
      'would register crystal:2 (from crystal:1; virtual node not checked: --skip-mesh-check)',
    ],
    [
      'offline: no number known',
      { ...register, taskDefinitionArn: null, sourceTaskDefinitionArn: null, meshCheck: 'offline' },
      'would register a new revision of crystal (virtual node not checked: --from-file --dry-run calls no AWS; the real run checks it before registering)',
    ],
    [
      'unchanged',
      { ...register, action: 'unchanged', taskDefinitionArn: `${ARN}crystal:5`, meshCheck: null },
      'unchanged: crystal:5 already has envoy',
    ],
  ] as const)('add-envoy: %s', (_name, plan, line) => {
    expect(addEnvoyPlanLine(plan as AddEnvoyPlan)).toBe(line);
  });

  it('update-service names the revision now and the one it would point at, or says it runs it already', () => {
    const p = {
      cluster: 'c',
      service: 's',
      currentTaskDefinitionArn: `${ARN}crystal:1`,
      taskDefinitionArn: `${ARN}crystal:2`,
      desiredCount: 3,
    };
    expect(updateServicePlanLine(p)).toBe('would point s at crystal:2 (now crystal:1)');
    expect(updateServicePlanLine({ ...p, currentTaskDefinitionArn: 'crystal:2' })).toBe('would point s at crystal:2 (it runs it already)');
    expect(updateServicePlanLine({ ...p, currentTaskDefinitionArn: null })).toBe('would point s at crystal:2');
  });

  it('wait-running and verify', () => {
    expect(waitRunningPlanLine({ taskDefinitionArn: `${ARN}crystal:2`, wanted: 1, timeoutMs: 90_000 })).toBe(
      'would wait up to 1m30s for 1 task of crystal:2 to be RUNNING',
    );
    expect(verifyPlanLine({ instanceId: 'i-1', url: 'http://h:3000/p', expectHeader: 'x-a=b=c', timeoutMs: 1000 })).toBe(
      'would curl http://h:3000/p from instance i-1 through SSM, expecting x-a: b=c',
    );
    expect(shortRevision('not an arn at all')).toBe('not an arn at all');
  });
});
