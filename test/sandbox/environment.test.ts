import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SANDBOX_PROFILE } from '../../src/sandbox/detect.js';
import { exportLines, profileConfigText, profileCredentialsText, profileUsage, sandboxEnvironment } from '../../src/sandbox/environment.js';

/** What a real shell has after eval-ing the lines, for `names`. */
const evalInShell = (lines: string[], names: string[]) =>
  execFileSync(
    '/bin/sh',
    ['-c', `eval "$1"; for n in ${names.join(' ')}; do eval "printf '%s\\0' \\"\\$$n\\""; done`, 'sh', lines.join('\n')],
    {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
    },
  )
    .split('\0')
    .slice(0, names.length);

describe('the environment sandbox up prints', () => {
  it('points the SDK at the endpoint with dummy credentials and marks the sandbox', () => {
    expect(sandboxEnvironment('http://127.0.0.1:5000')).toEqual({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      MESHCTL_SANDBOX: 'http://127.0.0.1:5000',
    });
  });

  it('is one export line per variable, read back by a real shell', () => {
    const lines = exportLines(sandboxEnvironment('http://127.0.0.1:5000'));
    expect(lines).toEqual([
      'export AWS_ENDPOINT_URL=http://127.0.0.1:5000',
      'export AWS_REGION=us-west-2',
      'export AWS_ACCESS_KEY_ID=testing',
      'export AWS_SECRET_ACCESS_KEY=testing',
      'export MESHCTL_SANDBOX=http://127.0.0.1:5000',
    ]);
    expect(evalInShell(lines, ['AWS_ENDPOINT_URL', 'MESHCTL_SANDBOX'])).toEqual(['http://127.0.0.1:5000', 'http://127.0.0.1:5000']);
  });

  it.each([["it's"], ['$(touch /tmp/pwned)'], ['`id`'], ['a b;c'], ['two\nlines']])(
    'quotes a hostile value %j so eval reads it back',
    (value) => {
      expect(evalInShell(exportLines({ X: value }), ['X'])).toEqual([value]);
    },
  );
});

describe('the profile files', () => {
  it('hold the profile with its region and endpoint, and the dummy key pair', () => {
    expect(profileConfigText('http://127.0.0.1:5000')).toBe(
      `[profile ${SANDBOX_PROFILE}]\nregion = us-west-2\nendpoint_url = http://127.0.0.1:5000\n`,
    );
    expect(profileCredentialsText()).toBe(`[${SANDBOX_PROFILE}]\naws_access_key_id = testing\naws_secret_access_key = testing\n`);
  });

  it('says how to use them through AWS_PROFILE (the SDK reads endpoint_url only for that profile), paths quoted', () => {
    expect(profileUsage("/tmp/it's here/config", '/tmp/c/credentials', ['meshctl', 'rollout'])).toBe(
      "AWS_CONFIG_FILE='/tmp/it'\\''s here/config' AWS_SHARED_CREDENTIALS_FILE=/tmp/c/credentials AWS_PROFILE=meshctl-sandbox meshctl rollout",
    );
  });
});
