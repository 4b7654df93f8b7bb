import { describe, expect, it } from 'vitest';
import { previousRevision, revisionFromFlag } from '../../src/core/revisions.js';

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
