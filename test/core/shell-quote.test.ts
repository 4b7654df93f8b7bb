import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellJoin, shellQuote } from '../../src/core/shell-quote.js';

const hostile = ['a;b', '$(touch /tmp/pwned)', '`id`', "it's", 'two\nlines', '"dq"', '$HOME', 'a b', '', '*', '-n', '\\', "'", "''"];

describe('shellQuote', () => {
  it.each(hostile.map((h) => [h]))('a real shell reads %j back unchanged', (value) => {
    const echoed = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(value)}`], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(echoed).toBe(value);
  });

  it('leaves plain words alone', () => {
    expect(shellQuote('crystal.appmeshworkshop.hosted.local')).toBe('crystal.appmeshworkshop.hosted.local');
  });

  it('quotes every word of a command line', () => {
    expect(shellJoin(['meshctl', 'verify', '--path', '/a b'])).toBe("meshctl verify --path '/a b'");
  });
});
