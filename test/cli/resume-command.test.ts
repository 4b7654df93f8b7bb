import { describe, expect, it } from 'vitest';
import { otherCommand, resumeCommand } from '../../src/cli/options/common.js';

const ROLLBACK_KEEPS = { values: ['--region', '--endpoint-url', '--timeout'], switches: ['--json'] };
const FROM = { flags: '--from <step>', help: 'start at this step' };
const ALL_SERVICES = { flags: '--all-services', help: 'every service' };

describe('resumeCommand', () => {
  it('drops --from with its value (both spellings) and adds the new one', () => {
    expect(resumeCommand(['rollout', '--from', 'wait-running', '--count', '4'], { drop: [FROM], add: ['--from', 'verify'] })).toBe(
      'meshctl rollout --count 4 --from verify',
    );
    expect(resumeCommand(['rollout', '--from=wait-running', '--rollback-on-failure'], { drop: [FROM] })).toBe(
      'meshctl rollout --rollback-on-failure',
    );
  });

  it('drops a switch alone: the word after it is not its value', () => {
    expect(resumeCommand(['rollout', '--all-services', '--json'], { drop: [ALL_SERVICES], add: ['--service', 'a'] })).toBe(
      'meshctl rollout --json --service a',
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
