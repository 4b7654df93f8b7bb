import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../support/cli.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { projectRoot } from '../support/paths.js';

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const meshctl = `${quote(process.execPath)} ${quote(BIN)}`;

/** bash, as a user's shell would run it, with the built CLI's script sourced the documented way. */
function bash(body: string) {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `source <(${meshctl} completion bash) || exit 9\n${body}`], {
    encoding: 'utf8',
    cwd: projectRoot(),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** COMPREPLY for a command line, the completion function driven as bash drives it on TAB. */
function bashComplete(line: string[]): string[] {
  const r = bash(`COMP_WORDS=(${line.map(quote).join(' ')}); COMP_CWORD=${line.length - 1}; _meshctl; printf '%s\\n' "\${COMPREPLY[@]}"`);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

/** The commands `meshctl --help` lists: what the scripts must offer (they are made from the same program). */
function helpCommands(): string[] {
  const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout;
  return [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z][a-z-]+)/gm)].map((m) => m[1]!);
}

describe('meshctl completion bash', () => {
  it('registers the completion function for meshctl', () => {
    const r = bash('complete -p meshctl');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('complete -F _meshctl meshctl');
  });

  it.each([
    [
      ['meshctl', 'roll'],
      ['rollout', 'rollback'],
    ],
    [['meshctl', 'mesh', 'pl'], ['plan']],
    [['meshctl', '--cluster', 'c', 'migrate', 'ap'], ['apply']],
    [
      ['meshctl', 'migrate', 'plan', '--app-'],
      ['--app-protocol', '--app-container'],
    ],
    [['meshctl', 'rollout', '--rollback-'], ['--rollback-on-failure']],
    [['meshctl', 'rollout', '--cluster', ''], []],
    [['meshctl', 'add-envoy', '--from-file', 'test/fixtures/crystal-d'], ['test/fixtures/crystal-describe.json']],
    [
      ['meshctl', 'completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
  ])('%j -> %j', (line, expected) => {
    expect(bashComplete(line)).toEqual(expected);
  });

  it('offers every command `meshctl --help` lists, and each subcommand of a group', () => {
    const commands = helpCommands();
    expect(commands).toContain('rollout');
    expect(commands).toContain('completion');
    expect(bashComplete(['meshctl', ''])).toEqual(commands);
    expect(bashComplete(['meshctl', 'migrate', ''])).toEqual(
      expect.arrayContaining(['plan', 'apply', 'status', 'abort', 'finish', 'cleanup']),
    );
  });

  it("offers a command's flags as its help lists them, the global ones included", () => {
    const help = spawnSync(process.execPath, [BIN, 'verify', '--help'], { encoding: 'utf8' }).stdout;
    const flags = [...help.matchAll(/^ {2}(?:(-\w), )?(--[a-z0-9-]+)/gm)].flatMap((m) => (m[1] ? [m[1], m[2]!] : [m[2]!]));
    expect(flags).toContain('--service-connect');
    expect(flags).toContain('--endpoint-url');
    expect(bashComplete(['meshctl', 'verify', '-']).sort()).toEqual([...new Set(flags)].sort());
  });
});

describe('meshctl completion: other shells, bad input, --json', () => {
  it('an unknown shell is exit 2, naming the ones there are', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'tcsh' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish\./);
    expect(r.stdout).toBe('');
    expect((await runCli(['completion'])).code).toBe(2);
  });

  it('--json: the script in one object, valid for its schema', async () => {
    const r = await runCli(['completion', 'fish', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = expectJsonMatchesSchema(['completion', 'fish', '--json'], r.stdout);
    expect(out.shell).toBe('fish');
    expect(out.script).toBe((await runCli(['completion', 'fish'])).stdout);
  });

  it.each([
    ['zsh', /^#compdef meshctl\n/, /; else compdef _meshctl meshctl; fi\n$/],
    ['fish', /^# fish completion for meshctl /, /\ncomplete -c meshctl -n '__meshctl_at \\'mesh\\'' -a 'plan' /],
  ])('%s: the script has its shape (and its shell reads it when installed)', async (shell, start, inside) => {
    const r = await runCli(['completion', shell]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(start);
    expect(r.stdout).toMatch(inside);
    for (const c of helpCommands()) expect(r.stdout).toContain(`'${c}`);
    if (has(shell)) {
      const file = join(mkdtempSync(join(tmpdir(), 'meshctl-completion-')), `meshctl.${shell}`);
      writeFileSync(file, r.stdout);
      const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }
  });

  it.skipIf(!has('fish'))('fish completes through its own complete -C', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meshctl-fish-')), 'meshctl.fish');
    writeFileSync(file, spawnSync(process.execPath, [BIN, 'completion', 'fish'], { encoding: 'utf8' }).stdout);
    const complete = (line: string) =>
      spawnSync('fish', ['--no-config', '-c', `source ${quote(file)}; complete -C ${quote(line)}`], {
        encoding: 'utf8',
        cwd: projectRoot(),
      })
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    expect(complete('meshctl roll')).toEqual(['rollback', 'rollout']);
    expect(complete('meshctl --cluster c mesh pl')).toEqual(['plan']);
    expect(complete('meshctl add-envoy --dry')).toEqual(['--dry-run']);
    expect(complete('meshctl rollout --dry')).toEqual(['--dry-run']);
    expect(complete('meshctl update-service --dry')).toEqual([]);
    expect(complete('meshctl completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(readFileSync(file, 'utf8')).toContain('__meshctl_under');
  });

  it.skipIf(!has('zsh'))('zsh completes on TAB in an interactive shell (zpty)', () => {
    // A `meshctl` on PATH (zsh completes the command word only for a command it finds), then zsh's own
    // completion system, driven through a pseudo-terminal: each line is typed, TAB, then echoed back
    // (emacs keys: with EDITOR=vi in the environment zsh starts in vi mode, where ^A is a character).
    const dir = mkdtempSync(join(tmpdir(), 'meshctl-zsh-'));
    writeFileSync(join(dir, 'meshctl'), `#!/bin/sh\nexec ${meshctl} "$@"\n`);
    chmodSync(join(dir, 'meshctl'), 0o700);
    const lines = ['meshctl rollo', 'meshctl mesh pl', 'meshctl completion z', 'meshctl add-envoy --dry'];
    const driver = `
zmodload zsh/zpty
zpty z 'PATH=${dir}:$PATH zsh -f -i'
zpty -w z 'PS1="> "; bindkey -e; autoload -U compinit; compinit -u -D; source <(meshctl completion zsh); echo READY'
zpty -r z line '*READY*'
for l in ${lines.map(quote).join(' ')}; do
  zpty -w -n z "$l"$'\\t'; sleep 1.5; zpty -w -n z $'\\C-a print -r -- TYPED \\C-m'; sleep 0.5
done
zpty -w z 'echo DONE'
all=''
for n in {1..50}; do zpty -r -t z chunk && all+=$chunk; [[ $all == *DONE*DONE* ]] && break; sleep 0.2; done
print -r -- "$all" | tr -d '\\r' | grep -a -o 'TYPED meshctl[^<]*'
zpty -d z`;
    const r = spawnSync('zsh', ['-f', '-c', driver], { encoding: 'utf8', timeout: 25_000 });
    expect(r.stdout.split('\n').filter(Boolean), r.stderr).toEqual([
      'TYPED meshctl rollout',
      'TYPED meshctl mesh plan',
      'TYPED meshctl completion zsh',
      'TYPED meshctl add-envoy --dry-run',
    ]);
  });
});
