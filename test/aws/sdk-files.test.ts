import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSdkFiles } from '../../src/aws/shared-config.js';
import { UsageError } from '../../src/errors.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-sdk-files-'));
  writeFileSync(join(dir, 'config'), '[default]\nregion = us-west-2\n');
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  mkdirSync(join(dir, 'home', '.aws'), { recursive: true });
  execFileSync('mkfifo', [join(dir, 'home', '.aws', 'config')]);
  mkdirSync(join(dir, 'home', '.aws', 'credentials'));
});

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    checkSdkFiles(env);
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
  return [];
};

describe('checkSdkFiles: what the SDK would read is a regular file, or missing', () => {
  it.each([
    ['a regular file', { AWS_CONFIG_FILE: 'config' }],
    ['a missing file', { AWS_SHARED_CREDENTIALS_FILE: 'nope' }],
    ['nothing named, no home files', { HOME: '/nonexistent' }],
  ])('%s passes', (_name, env) => {
    const abs = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.startsWith('/') ? v : join(dir, v)]));
    expect(problemsOf({ HOME: '/nonexistent', ...abs })).toEqual([]);
  });

  it.each([
    ['AWS_CONFIG_FILE', 'fifo', /^AWS_CONFIG_FILE: ".*fifo" is a named pipe \(FIFO\), expected a regular file/],
    ['AWS_SHARED_CREDENTIALS_FILE', '.', /^AWS_SHARED_CREDENTIALS_FILE: ".*" is a folder, expected a regular file/],
    ['AWS_CONFIG_FILE', '/dev/zero', /^AWS_CONFIG_FILE: "\/dev\/zero" is a device/],
    ['AWS_WEB_IDENTITY_TOKEN_FILE', 'fifo', /^AWS_WEB_IDENTITY_TOKEN_FILE: ".*fifo" is a named pipe/],
    ['AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', '/dev/null', /^AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "\/dev\/null" is a device/],
  ])('%s naming %s is refused, naming the variable', (variable, file, message) => {
    const problems = problemsOf({ HOME: '/nonexistent', [variable]: file.startsWith('/') ? file : join(dir, file) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).toContain(`unset ${variable}`);
  });

  it('reads ~/ as the home folder, and checks the default files under it', () => {
    expect(
      problemsOf({ HOME: join(dir, 'home'), AWS_CONFIG_FILE: '~/.aws/config', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'config') }),
    ).toEqual([expect.stringMatching(/^AWS_CONFIG_FILE: "~\/\.aws\/config" is a named pipe/)]);
    expect(problemsOf({ HOME: join(dir, 'home') })).toEqual([
      expect.stringMatching(/home\/\.aws\/config \(the default of AWS_CONFIG_FILE\) is a named pipe \(FIFO\)/),
      expect.stringMatching(/home\/\.aws\/credentials \(the default of AWS_SHARED_CREDENTIALS_FILE\) is a folder/),
    ]);
  });
});
