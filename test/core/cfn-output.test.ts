import { describe, expect, it } from 'vitest';
import { cfnValue, parseCfnOutput } from '../../src/core/cfn-output.js';
import { InputError } from '../../src/errors.js';

describe('parseCfnOutput', () => {
  it('reads the flat object the workshop writes', () => {
    expect(parseCfnOutput('{"EcsClusterName":"appmesh-workshop"}', 'cfn-output.json')).toEqual({ EcsClusterName: 'appmesh-workshop' });
  });

  it.each([
    ['', /cfn-output\.json: the file is empty/],
    ['   \n', /the file is empty/],
    ['{"EcsClusterName": ', /cfn-output\.json: not valid JSON/],
    ['[1,2]', /expected a JSON object of stack outputs, found a list/],
    ['"text"', /found a string/],
    ['null', /found null/],
    ['42', /found a number/],
    [`{"EcsClusterName": ${'['.repeat(65)}${']'.repeat(65)}}`, /cfn-output\.json: EcsClusterName(\[0\]){7}…: nested deeper than 64 levels/],
  ])('rejects %j with a message naming the file', (text, message) => {
    expect(() => parseCfnOutput(text, 'cfn-output.json')).toThrow(message);
    expect(() => parseCfnOutput(text, 'cfn-output.json')).toThrow(InputError);
  });

  it('reads a file that starts with a UTF-8 byte-order mark', () => {
    expect(parseCfnOutput('\uFEFF{"EcsClusterName":"c"}', 'cfn-output.json')).toEqual({ EcsClusterName: 'c' });
  });

  it('refuses nesting 100000 deep with a message, not a stack overflow', () => {
    const text = `{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => parseCfnOutput(text, 'cfn-output.json')).toThrow(/nested deeper than 64 levels/);
  });

  it('quotes the text of a JSON error with its control characters escaped', () => {
    const esc = String.fromCharCode(0x1b);
    let message = '';
    try {
      parseCfnOutput(`{"EcsClusterName": ${esc}[31mred}`, 'cfn-output.json');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^cfn-output\.json: not valid JSON \(.*\\u001b\[31mred/);
    expect(message).not.toContain(esc);
  });
});

describe('cfnValue', () => {
  const output = { EcsClusterName: 'appmesh-workshop', CrystalTaskDefinition: 42, RubyAutoScalingGroupName: ' asg-1 ' };

  it('prefers the flag over the file', () => {
    expect(cfnValue('cluster', 'other', output, 'f.json')).toBe('other');
  });

  it('reads the key when no flag is given, trimmed', () => {
    expect(cfnValue('cluster', undefined, output, 'f.json')).toBe('appmesh-workshop');
    expect(cfnValue('asg', undefined, output, 'f.json')).toBe('asg-1');
  });

  it('names the key, the file and the flag when the key is missing', () => {
    expect(() => cfnValue('cluster', undefined, {}, 'f.json')).toThrow(
      'f.json: key "EcsClusterName" is missing; pass --cluster or regenerate the file',
    );
  });

  it('rejects a key of the wrong type', () => {
    expect(() => cfnValue('taskDefinition', undefined, output, 'f.json')).toThrow(
      /key "CrystalTaskDefinition" must be a non-empty string, found 42; pass --task-definition/,
    );
  });

  it('escapes control characters of a wrong value it quotes (JSON.stringify leaves DEL and C1 as they are)', () => {
    expect(() => cfnValue('cluster', undefined, { EcsClusterName: ['a\u007f\u009b'] }, 'f.json')).toThrow(
      'f.json: key "EcsClusterName" must be a non-empty string, found ["a\\u007f\\u009b"]; pass --cluster or fix the file',
    );
  });

  it('says the file is missing and which flag replaces it', () => {
    expect(() => cfnValue('asg', undefined, undefined, './cfn-output.json')).toThrow(
      /\.\/cfn-output\.json: no such file, and --asg was not given/,
    );
  });
});
