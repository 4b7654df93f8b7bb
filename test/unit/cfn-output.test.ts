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
    ['[1,2]', /expected a JSON object of stack outputs, found an array/],
    ['"text"', /found string/],
    ['null', /found null/],
    ['42', /found number/],
  ])('rejects %j with a message naming the file', (text, message) => {
    expect(() => parseCfnOutput(text, 'cfn-output.json')).toThrow(message);
    expect(() => parseCfnOutput(text, 'cfn-output.json')).toThrow(InputError);
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

  it('says the file is missing and which flag replaces it', () => {
    expect(() => cfnValue('asg', undefined, undefined, './cfn-output.json')).toThrow(
      /\.\/cfn-output\.json: no such file, and --asg was not given/,
    );
  });
});
