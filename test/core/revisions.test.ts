import { describe, expect, it } from 'vitest';
import { previousRevision, revisionFromFlag, sameRegistration } from '../../src/core/revisions.js';
import { toDescribed, toRegisterInput, type DescribedTaskDefinition } from '../../src/core/task-definition.js';
import { readFileSync } from 'node:fs';

const arn = (rev: number) => `arn:aws:ecs:us-west-2:1:task-definition/crystal:${rev}`;

describe('previousRevision', () => {
  it('prefers an older deployment ECS still lists', () => {
    expect(
      previousRevision(
        arn(5),
        [
          { status: 'PRIMARY', taskDefinition: arn(5) },
          { status: 'ACTIVE', taskDefinition: arn(2) },
        ],
        [arn(4)],
      ),
    ).toBe(arn(2));
  });

  it('else takes the highest ACTIVE revision below the current one, whatever the listing order', () => {
    expect(previousRevision(arn(5), [{ status: 'PRIMARY', taskDefinition: arn(5) }], [arn(1), arn(6), arn(3), arn(4), arn(5)])).toBe(
      arn(4),
    );
  });

  it('finds none below the first revision', () => {
    expect(previousRevision(arn(1), [], [arn(1), arn(2)])).toBeUndefined();
  });
});

describe('revisionFromFlag', () => {
  it.each([
    ['3', 'crystal:3'],
    ['crystal:7', 'crystal:7'],
    [arn(2), arn(2)],
    ['a b', undefined],
  ])('reads --to %s', (to, expected) => {
    expect(revisionFromFlag(to, arn(5))).toBe(expected);
  });
});

describe("sameRegistration: is the family's latest revision what this input registers?", () => {
  const described = toDescribed(JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8')), 'fixture');
  const input = () => structuredClone(toRegisterInput(described));
  type Td = Record<string, unknown> & { containerDefinitions: Record<string, unknown>[] };
  const withTd = (change: (td: Td) => void): DescribedTaskDefinition => {
    const td = structuredClone(described.taskDefinition) as unknown as Td;
    change(td);
    return { ...described, taskDefinition: td as never };
  };

  it.each([
    ['the revision the input came from', () => described],
    [
      'with what ECS fills in (empty lists, host port, tcp, essential, cpu 0)',
      () =>
        withTd((td) => {
          td.containerDefinitions[0] = { ...td.containerDefinitions[0], mountPoints: [], volumesFrom: [], cpu: 0, essential: true };
          td.placementConstraints = [];
        }),
    ],
  ])('same: %s', (_case, latest) => expect(sameRegistration(latest(), input())).toBe(true));

  it.each([
    [
      'an extra container (envoy still there)',
      () => withTd((td) => td.containerDefinitions.push({ name: 'envoy', image: 'envoy', essential: true })),
    ],
    [
      'an extra proxyConfiguration',
      () =>
        withTd(
          (td) => (td.proxyConfiguration = { type: 'APPMESH', containerName: 'envoy', properties: [{ name: 'AppPorts', value: '3000' }] }),
        ),
    ],
    [
      'an extra environment entry',
      () => withTd((td) => (td.containerDefinitions[0] = { ...td.containerDefinitions[0], environment: [{ name: 'A', value: '1' }] })),
    ],
    ['another image', () => withTd((td) => (td.containerDefinitions[0] = { ...td.containerDefinitions[0], image: 'other:latest' }))],
    [
      'a non-zero cpu the input leaves out',
      () => withTd((td) => (td.containerDefinitions[0] = { ...td.containerDefinitions[0], cpu: 256 })),
    ],
  ])('different: %s', (_case, latest) => expect(sameRegistration(latest(), input())).toBe(false));

  it('an input with a field the revision lacks is different', () => {
    expect(sameRegistration(described, { ...input(), pidMode: 'task' })).toBe(false);
  });
});
