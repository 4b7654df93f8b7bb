import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['10', 10_000],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms);
  });

  it.each(['', 'ten', '10x', '-5s', '0', '0s', 's', '1m 30s', '10s;rm'])('rejects %j naming the flag', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(/^--timeout: /);
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
