import { describe, expect, it } from 'vitest';
import { parseTaskDefinitionRef, regionOfArn, sameRevision } from '../../src/core/arn.js';

describe('parseTaskDefinitionRef', () => {
  it.each([
    ['arn:aws:ecs:us-west-2:123456789012:task-definition/crystal:3', { family: 'crystal', revision: 3, region: 'us-west-2' }],
    ['arn:aws:ecs:eu-west-1:123456789012:task-definition/crystal', { family: 'crystal', revision: undefined, region: 'eu-west-1' }],
    ['crystal:7', { family: 'crystal', revision: 7 }],
    ['crystal-lb_vanilla', { family: 'crystal-lb_vanilla', revision: undefined }],
  ])('reads %s', (ref, expected) => {
    expect(parseTaskDefinitionRef(ref)).toEqual(expected);
  });

  it.each(['', 'crystal:x', 'a b', 'arn:aws:ecs:us-west-2:1:service/x', 'crystal;rm'])('rejects %j', (ref) => {
    expect(parseTaskDefinitionRef(ref)).toBeUndefined();
  });

  it('reads the region of any ARN', () => {
    expect(regionOfArn('arn:aws:ecs:ap-south-1:1:task-definition/x:1')).toBe('ap-south-1');
    expect(regionOfArn(undefined)).toBeUndefined();
  });
});

describe('sameRevision', () => {
  it.each([
    ['arn:aws:ecs:us-west-2:1:task-definition/crystal:2', 'crystal:2', true],
    ['arn:aws:ecs:us-west-2:1:task-definition/crystal:2', 'crystal:3', false],
    ['crystal', 'crystal', true],
    ['crystal', 'arn:aws:ecs:us-west-2:1:task-definition/crystal:2', false],
    [undefined, 'crystal:2', false],
  ])('%s and %s: %s', (a, b, same) => {
    expect(sameRevision(a, b)).toBe(same);
  });
});
