import { describe, expect, it } from 'vitest';
import { checkAll, durationFlag, nameFlag, targetFlags } from '../../src/cli/options/common.js';
import { isEcsNameOrArn } from '../../src/core/arn.js';
import { parseDuration } from '../../src/core/duration.js';
import { InputError, UsageError } from '../../src/errors.js';

const problemsOf = (f: () => unknown): readonly string[] => {
  try {
    f();
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    if (err instanceof InputError) return [err.message];
    throw err;
  }
  return [];
};

describe('checkAll: one validation pass', () => {
  it('returns every result in order when nothing is wrong', () => {
    expect(
      checkAll(
        () => 1,
        () => 'a',
        () => undefined,
      ),
    ).toEqual([1, 'a', undefined]);
  });

  it('runs every check after a failure and throws them all at once, flattening nested passes', () => {
    let ran = 0;
    const err = (() => {
      try {
        checkAll(
          () => {
            throw new UsageError('--a: bad');
          },
          () => ran++,
          () =>
            checkAll(
              () => nameFlag('b c', '--b'),
              () => durationFlag('5x', '--c', 1),
            ),
          () => {
            throw new InputError('x.json: not JSON');
          },
        );
      } catch (e) {
        return e as UsageError;
      }
      throw new Error('no throw');
    })();
    expect(ran).toBe(1);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.problems).toEqual([
      '--a: bad',
      expect.stringMatching(/^--b: "b c"/),
      expect.stringMatching(/^--c: "5x"/),
      'x.json: not JSON',
    ]);
    expect(err.message).toMatch(/^4 problems with the input; nothing was done:\n {2}- --a: bad\n {2}- --b: /);
  });

  it('rethrows one problem as it was (an InputError stays one), and says a repeated problem once', () => {
    const input = new InputError('f: missing');
    expect(() =>
      checkAll(() => {
        throw input;
      }),
    ).toThrow(input);
    const twice = () =>
      checkAll(
        () => nameFlag('!', '--mesh'),
        () => nameFlag('!', '--mesh'),
      );
    expect(problemsOf(twice)).toEqual([expect.stringMatching(/^--mesh: "!"/)]);
  });

  it('lets a bug through at once', () => {
    expect(() =>
      checkAll(
        () => {
          throw new TypeError('boom');
        },
        () => nameFlag('!', '--x'),
      ),
    ).toThrow(TypeError);
  });
});

describe('names and ARNs of the right ECS resource', () => {
  it.each([
    ['crystal-service-lb', 'service', true],
    ['arn:aws:ecs:us-west-2:111122223333:service/appmesh-workshop/crystal-service-lb', 'service', true],
    ['arn:aws:ecs:us-west-2:111122223333:service/crystal-service-lb', 'service', true],
    ['arn:aws-cn:ecs:cn-north-1:111122223333:cluster/c1', 'cluster', true],
    ['arn:aws:ecs:us-west-2:111122223333:cluster/c1', 'service', false],
    ['arn:aws:s3:::bucket', 'cluster', false],
    ['arn:aws:ecs:us-west-2:111122223333:cluster/a/b', 'cluster', false],
    ['arn:aws:ecs:us-west-2:1:cluster/c1', 'cluster', false],
    ['arn:aws:ecs:us-west-2:111122223333:service/x/y/z', 'service', false],
    ['a'.repeat(256), 'service', false],
  ] as const)('%s as a %s: %s', (value, kind, ok) => {
    expect(isEcsNameOrArn(value, kind)).toBe(ok);
  });

  it('targetFlags names --cluster and --service with what is wrong', () => {
    expect(problemsOf(() => targetFlags({ cluster: 'arn:aws:s3:::bucket', service: ['ok', 'not ok'] }))).toEqual([
      expect.stringMatching(/^--service: "not ok" is not a valid name .*ECS service ARN\)$/),
      expect.stringMatching(/^--cluster: "arn:aws:s3:::bucket" is not a valid name .*ECS cluster ARN\)$/),
    ]);
    expect(problemsOf(() => nameFlag('arn:aws:ecs:us-west-2:111122223333:service/x', '--green-name'))).toHaveLength(1);
  });
});

describe('durations with a floor', () => {
  it("refuses what rounds to nothing, and what is under the flag's least", () => {
    expect(() => parseDuration('0.4ms', '--timeout')).toThrow(/--timeout: "0.4ms" is less than 1ms/);
    expect(parseDuration('1.4ms', '--timeout')).toBe(1);
    expect(() => durationFlag('50ms', '--interval', 10_000, 100)).toThrow(/--interval: "50ms" is shorter than 100ms, the least it takes/);
    expect(durationFlag('100ms', '--interval', 10_000, 100)).toBe(100);
    expect(durationFlag(undefined, '--interval', 10_000, 100)).toBe(10_000);
  });
});
