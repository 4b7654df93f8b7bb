import { spawnSync } from 'node:child_process';
import { Argument, Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { completionTreeOf } from '../../src/cli/completion.js';
import { bashCompletion, completionScript, fishCompletion, SHELLS, zshCompletion } from '../../src/core/completion.js';

/** A small program shaped like meshctl's: a global value flag, a group with subcommands, a hidden command. */
function smallProgram(): Command {
  const program = new Command('meshctl').version('9.9.9', '-V, --version').option('--cfn-output <file>', 'outputs file');
  program.option('--region <region>', 'AWS region').option('--json', 'one JSON object');
  program.command('rollout').description('roll it out').option('--dry-run', 'render only').option('--from <step>', 'start at');
  program.command('rollback').description('go back').option('--to <revision>', 'revision');
  const mesh = program.command('mesh').description('the mesh side');
  mesh.command('plan').description('show the plan').option('-f, --file <file>', 'mesh file');
  mesh
    .command('export')
    .description('write a mesh file')
    .addOption(new Option('--format <fmt>', 'output').choices(['yaml', 'json']));
  program.command('sandbox').description('a local world').option('--dir <folder>', 'the folder').option('--level [n]', 'optional value');
  program.command('secret', { hidden: true }).option('--hidden-flag', 'no');
  program
    .command('completion')
    .description('print a script')
    .addArgument(new Argument('<shell>').choices(['bash', 'zsh', 'fish']));
  return program;
}

describe('completionTreeOf reads the program as its help shows it', () => {
  const tree = completionTreeOf(smallProgram());

  it('lists the visible commands, the implicit help last, and no hidden one', () => {
    expect(tree.commands.map((c) => c.name)).toEqual(['rollout', 'rollback', 'mesh', 'sandbox', 'completion', 'help']);
    expect(tree.commands.find((c) => c.name === 'mesh')!.commands.map((c) => c.name)).toEqual(['plan', 'export', 'help']);
  });

  it('gives each flag its spellings and what its value is', () => {
    expect(tree.options).toEqual([
      { names: ['-V', '--version'], description: 'output the version number', value: null },
      { names: ['--cfn-output'], description: 'outputs file', value: { placeholder: 'file', choices: [] } },
      { names: ['--region'], description: 'AWS region', value: { placeholder: 'region', choices: [] } },
      { names: ['--json'], description: 'one JSON object', value: null },
      { names: ['-h', '--help'], description: 'display help for command', value: null },
    ]);
    const mesh = tree.commands.find((c) => c.name === 'mesh')!;
    expect(mesh.commands[1]!.options[0]).toEqual({
      names: ['--format'],
      description: 'output',
      value: { placeholder: 'fmt', choices: ['yaml', 'json'] },
    });
    // An optional value never takes the next word.
    expect(tree.commands.find((c) => c.name === 'sandbox')!.options.find((o) => o.names.includes('--level'))!.value).toBeNull();
  });

  it("takes an argument's choices, and help's argument is one of its siblings", () => {
    expect(tree.commands.find((c) => c.name === 'completion')!.argumentWords).toEqual(['bash', 'zsh', 'fish']);
    expect(tree.commands.find((c) => c.name === 'help')!.argumentWords).toEqual(['rollout', 'rollback', 'mesh', 'sandbox', 'completion']);
    expect(tree.commands.find((c) => c.name === 'mesh')!.commands.find((c) => c.name === 'help')!.argumentWords).toEqual([
      'plan',
      'export',
    ]);
  });
});

/** Runs the generated bash script's completion function for one command line, as bash would on TAB. */
function bashComplete(script: string, line: string[]): string[] {
  const words = line.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _meshctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    {
      encoding: 'utf8',
      cwd: new URL('../fixtures', import.meta.url).pathname,
    },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('the bash script completes what the program declares', () => {
  const script = bashCompletion(completionTreeOf(smallProgram()), '9.9.9');

  it.each([
    [
      ['meshctl', 'roll'],
      ['rollout', 'rollback'],
    ],
    [
      ['meshctl', ''],
      ['rollout', 'rollback', 'mesh', 'sandbox', 'completion', 'help'],
    ],
    [
      ['meshctl', 'mesh', ''],
      ['plan', 'export', 'help'],
    ],
    // A global flag's value is skipped, not read as a command.
    [
      ['meshctl', '--region', 'mesh', ''],
      ['rollout', 'rollback', 'mesh', 'sandbox', 'completion', 'help'],
    ],
    [['meshctl', '--region', 'us-west-2', 'mesh', 'p'], ['plan']],
    [['meshctl', 'rollout', '--d'], ['--dry-run']],
    // The program's flags apply under a subcommand; a sibling's do not.
    [['meshctl', 'rollout', '--j'], ['--json']],
    [['meshctl', 'rollback', '--dr'], []],
    [
      ['meshctl', 'mesh', 'export', '--format', ''],
      ['yaml', 'json'],
    ],
    [['meshctl', 'rollout', '--from', ''], []],
    [['meshctl', 'completion', 'z'], ['zsh']],
    [
      ['meshctl', 'help', 'r'],
      ['rollout', 'rollback'],
    ],
    [['meshctl', 'mesh', 'plan', '-f', 'crystal-d'], ['crystal-describe.json']],
    [['meshctl', '--cfn-output', 'cfn-appmesh.j'], ['cfn-appmesh.json']],
    [['meshctl', 'sec'], []],
  ])('%j -> %j', (line, expected) => {
    expect(bashComplete(script, line)).toEqual(expected);
  });

  it('registers _meshctl for meshctl', () => {
    expect(script.trimEnd().split('\n').at(-1)).toBe('complete -F _meshctl meshctl');
  });
});

describe('the zsh and fish scripts say the same', () => {
  const tree = completionTreeOf(smallProgram());

  it('zsh: every command and flag with its description, registered with compdef', () => {
    const zsh = zshCompletion(tree, '9.9.9');
    expect(zsh.split('\n')[0]).toBe('#compdef meshctl');
    expect(zsh).toContain(`mesh) reply=('plan:show the plan' 'export:write a mesh file' 'help:display help for command') ;;`);
    expect(zsh).toContain(`'mesh export') reply=(`);
    expect(zsh).toMatch(/'mesh export'\)\n {6}case "\$2" in\n(.*\n)*? {8}--format\) echo 'choice yaml json' ;;/);
    expect(zsh).toContain('compdef _meshctl meshctl');
    expect(zsh).not.toContain('secret');
  });

  it('fish: a complete line per command under its path, a flag under its command, the program flags anywhere', () => {
    const fish = fishCompletion(tree, '9.9.9');
    expect(fish).toContain(`complete -c meshctl -n '__meshctl_at \\'mesh\\'' -a 'plan' -d 'show the plan'`);
    expect(fish).toContain(`complete -c meshctl -n '__meshctl_under \\'mesh plan\\'' -s 'f' -l 'file' -r -F -d 'mesh file'`);
    expect(fish).toContain(`complete -c meshctl -n '__meshctl_under \\'mesh export\\'' -l 'format' -x -a 'yaml json' -d 'output'`);
    expect(fish).toContain(`complete -c meshctl -l 'region' -x -d 'AWS region'`);
    expect(fish).toContain(
      `complete -c meshctl -n '__meshctl_under \\'sandbox\\'' -l 'dir' -x -a '(__fish_complete_directories)' -d 'the folder'`,
    );
    // The program's -h is listed once, not again for every command.
    expect(fish.match(/-l 'help'/g)).toHaveLength(1);
    expect(fish).not.toContain('secret');
  });

  it.each(SHELLS)('%s: names the version it was printed from', (shell) => {
    expect(completionScript(shell, tree, '9.9.9')).toMatch(
      new RegExp(`^(#compdef meshctl\\n)?# ${shell} completion for meshctl 9\\.9\\.9`),
    );
  });

  it('quotes what the shells would read as syntax', () => {
    const program = new Command('meshctl').option('--odd <file>', "it's $(rm -rf /) `x`");
    program.command('go').description("it's: here");
    const t = completionTreeOf(program);
    expect(zshCompletion(t, '1')).toContain(`'') reply=('go:it'\\''s: here' 'help:display help for command') ;;`);
    expect(fishCompletion(t, '1')).toContain(`-d 'it\\'s $(rm -rf /) \`x\`'`);
    const r = spawnSync('bash', ['--norc', '-n', '-c', bashCompletion(t, '1')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
