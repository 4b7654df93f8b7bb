import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, MAX_TIMER_MS, parseDuration } from '../../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['10', 10_000],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1d12h', 129_600_000],
    ['15d', MAX_DURATION_MS],
    ['360h', MAX_DURATION_MS],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms);
  });

  it.each(['', 'ten', '10x', '-5s', '0', '0s', 's', '1m 30s', '10s;rm'])('rejects %j naming the flag', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(/^--timeout: /);
  });
});

describe('the longest duration', () => {
  it('is below what a Node timer holds', () => {
    expect(MAX_DURATION_MS).toBeLessThan(MAX_TIMER_MS);
  });

  // Each of these fired at once, as setTimeout's 1ms, before the maximum: a step wait that did not wait.
  it.each(['360h1ms', '15d1s', '1000h', '25d', '2147484s', '596h', String(MAX_TIMER_MS), '9'.repeat(400), `${'9'.repeat(400)}ms`])(
    'refuses %s, naming the flag and the maximum',
    (text) => {
      expect(() => parseDuration(text, '--step-wait')).toThrow(
        /^--step-wait: ".*" is longer than 15 days \(360h\), the longest duration meshctl takes$/,
      );
    },
  );

  it('shows what was typed escaped', () => {
    expect(() => parseDuration('1\u001b[2Jh', '--timeout')).toThrow(/"1\\u001b\[2Jh" is not a duration/);
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [40_000, '40s'],
    [125_000, '2m05s'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
