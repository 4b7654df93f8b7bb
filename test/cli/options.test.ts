import { Option, type Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { otherCommand, resumeCommand } from '../../src/cli/options/common.js';
import { optionName, takesValue, type OptionDecl } from '../../src/cli/options/declare.js';
import { ENVOY_OPTIONS } from '../../src/cli/options/envoy.js';
import { GLOBAL_OPTIONS, GLOBAL_VALUE_OPTIONS } from '../../src/cli/options/global.js';
import { SERVICE_CONNECT_OPTIONS, VERIFY_OPTIONS } from '../../src/cli/options/verify.js';
import { WAIT_OPTIONS } from '../../src/cli/options/wait.js';
import { ROLLBACK_KEEPS, ROLLOUT_OPTIONS } from '../../src/cli/rollout.js';
import { buildProgram, commandOf } from '../../src/main.js';
import type { Deps } from '../../src/runtime/context.js';
import { createUi } from '../../src/ui/output.js';
import { captureStream, fakeClock } from '../support/fake-deps.js';

/** The whole program (every command), as completion and the docs read it; no AWS at all. */
async function wholeProgram(): Promise<Command> {
  const ui = createUi(
    { stderrIsTTY: false, ci: true, json: false, color: false, verbose: false },
    { stdout: captureStream(), stderr: captureStream() },
  );
  const deps: Deps = {
    ui,
    clock: fakeClock(),
    signal: new AbortController().signal,
    env: {},
    argv: [],
    awsClients: () => {
      throw new Error('no AWS here');
    },
  };
  return buildProgram(deps, []);
}

const sub = (program: Command, name: string) => program.commands.find((c) => c.name() === name)!;
const optionsOf = (cmd: Command) => new Map(cmd.options.map((o) => [o.long!, o]));
/** A value a flag takes that is also a command's name: read as the command, it would run the wrong one. */
const VALUE = 'rollout';

let program: Command;
beforeAll(async () => {
  program = await wholeProgram();
});

describe('the global options, declared once', () => {
  it('the program has exactly the declared global options (and -V), each with its declared help', () => {
    const declared = GLOBAL_OPTIONS.map((d) => [optionName(d), d.help]);
    const actual = program.options.filter((o) => o.long !== '--version').map((o) => [o.long, o.description]);
    expect(actual).toEqual(declared);
  });

  it('every global option that takes a value is known to the parser facts, and no other', () => {
    const withValue = program.options.filter((o) => o.long !== '--version' && (o.required || o.optional)).map((o) => o.long);
    expect(withValue.length).toBeGreaterThan(0);
    expect([...GLOBAL_VALUE_OPTIONS].sort()).toEqual([...withValue].sort());
  });

  it.each(GLOBAL_OPTIONS.filter(takesValue).map(optionName))('%s: its value is never read as the command', (flag) => {
    expect(commandOf([flag, VALUE, 'verify', '--json'])).toBe('verify');
  });

  it.each(GLOBAL_OPTIONS.filter((d) => !takesValue(d)).map(optionName))('%s: the word after it is the command', (flag) => {
    expect(commandOf([flag, 'verify'])).toBe('verify');
  });
});

describe('the flags a printed rollback keeps', () => {
  const rollback = () => sub(program, 'rollback');
  const kept = [...ROLLBACK_KEEPS.values.map((f) => [f, true] as const), ...ROLLBACK_KEEPS.switches.map((f) => [f, false] as const)];

  it('keeps every global option declared kept', () => {
    for (const d of GLOBAL_OPTIONS.filter((o) => o.kept)) {
      expect(takesValue(d) ? ROLLBACK_KEEPS.values : ROLLBACK_KEEPS.switches).toContain(optionName(d));
    }
  });

  it.each(kept)('%s round-trips: rollout takes it, the printed rollback carries it and rollback takes it alike', (flag, value) => {
    const argv = ['rollout', '--from', 'verify', flag, ...(value ? ['v1'] : []), '--count', '3'];
    const printed = otherCommand(argv, 'rollback', ROLLBACK_KEEPS, ['--service', 's']);
    expect(printed).toBe(`meshctl rollback ${flag}${value ? ' v1' : ''} --service s`);
    for (const cmd of [sub(program, 'rollout'), rollback()]) {
      const option = optionsOf(cmd).get(flag) ?? optionsOf(program).get(flag);
      expect(option, `${cmd.name()} takes ${flag}`).toBeDefined();
      expect(option!.required || option!.optional, `${flag} takes a value in ${cmd.name()}`).toBe(value);
    }
  });
});

describe('a resume drops an option with its value, by its declaration', () => {
  it.each(Object.values(ROLLOUT_OPTIONS).map((d) => [optionName(d), d] as const))('%s', (flag, decl) => {
    const argv = ['rollout', flag, ...(takesValue(decl) ? ['x'] : []), '--json', 'word'];
    expect(resumeCommand(argv, { drop: [decl] })).toBe('meshctl rollout --json word');
    if (takesValue(decl)) expect(resumeCommand(['rollout', `${flag}=x`, '--json'], { drop: [decl] })).toBe('meshctl rollout --json');
  });
});

describe('shared flag adders', () => {
  const records: [string, Record<string, OptionDecl>][] = [
    ['ENVOY_OPTIONS', ENVOY_OPTIONS],
    ['VERIFY_OPTIONS', VERIFY_OPTIONS],
    ['SERVICE_CONNECT_OPTIONS', SERVICE_CONNECT_OPTIONS],
    ['WAIT_OPTIONS', WAIT_OPTIONS],
    ['ROLLOUT_OPTIONS', ROLLOUT_OPTIONS],
  ];

  it.each(records)("%s: each key is the attribute commander gives the flag's value", (_name, decls) => {
    for (const [key, d] of Object.entries(decls)) expect(new Option(d.flags).attributeName()).toBe(key);
  });

  it("rollout's flags include add-envoy's and verify's, with identical help", () => {
    const rollout = optionsOf(sub(program, 'rollout'));
    const shared = [
      ...Object.values(ENVOY_OPTIONS).map((d) => [optionName(d), sub(program, 'add-envoy')] as const),
      ...Object.values(VERIFY_OPTIONS).map((d) => [optionName(d), sub(program, 'verify')] as const),
    ];
    expect(shared).toHaveLength(12);
    for (const [flag, from] of shared) {
      const theirs = optionsOf(from).get(flag);
      expect(theirs, `${from.name()} has ${flag}`).toBeDefined();
      expect(rollout.get(flag)?.description, `rollout ${flag}`).toBe(theirs!.description);
      expect(rollout.get(flag)?.flags).toBe(theirs!.flags);
    }
  });

  it('a flag rollout shares by name with add-envoy or verify differs only where it means another thing', () => {
    const rollout = optionsOf(sub(program, 'rollout'));
    const differing = ['add-envoy', 'verify'].flatMap((name) =>
      sub(program, name)
        .options.filter((o) => rollout.has(o.long!) && rollout.get(o.long!)!.description !== o.description)
        .map((o) => `${name} ${o.long}`),
    );
    // rollout's --dry-run covers every step, not add-envoy's alone; its --timeout is the wait's (verify's is
    // --verify-timeout there); its --service chooses the services to roll out, verify's is --service-connect's.
    expect(differing.sort()).toEqual(['add-envoy --dry-run', 'verify --service', 'verify --timeout']);
  });
});
