import { describe, expect, it } from 'vitest';
import { otherCommand, resumeCommand } from '../../src/cli/options/common.js';

const ROLLBACK_KEEPS = { values: ['--region', '--endpoint-url', '--timeout'], switches: ['--json'] };

describe('resumeCommand', () => {
  it('drops --from with its value (both spellings) and adds the new one', () => {
    expect(resumeCommand(['rollout', '--from', 'wait-running', '--count', '4'], { drop: ['--from'], add: ['--from', 'verify'] })).toBe(
      'meshctl rollout --count 4 --from verify',
    );
    expect(resumeCommand(['rollout', '--from=wait-running', '--rollback-on-failure'], { drop: ['--from'] })).toBe(
      'meshctl rollout --rollback-on-failure',
    );
  });
});

describe('otherCommand', () => {
  it('keeps only the named flags with their values, in the order given, then adds its own', () => {
    const argv = ['--region', 'eu-west-1', 'rollout', '--envoy-image', 'img', '--timeout=3m', '--json', '--from', 'verify', '--count', '4'];
    expect(otherCommand(argv, 'rollback', ROLLBACK_KEEPS, ['--service', 's', '--to', 'fam:1'])).toBe(
      'meshctl rollback --region eu-west-1 --timeout=3m --json --service s --to fam:1',
    );
  });

  it('quotes what a shell would read otherwise', () => {
    expect(otherCommand(['rollout', '--endpoint-url', 'http://127.0.0.1:5000/a b'], 'rollback', ROLLBACK_KEEPS, ['--service', "o'k"])).toBe(
      "meshctl rollback --endpoint-url 'http://127.0.0.1:5000/a b' --service 'o'\\''k'",
    );
  });

  it('a kept flag with no value left (the last argument) is not carried', () => {
    expect(otherCommand(['rollout', '--timeout'], 'rollback', ROLLBACK_KEEPS, [])).toBe('meshctl rollback');
  });
});
