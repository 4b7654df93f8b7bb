import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import * as errors from '../../src/errors.js';
import {
  AwsCallError,
  CheckFailedError,
  CommandFailedError,
  InputError,
  InterruptedError,
  MeshctlError,
  TimeoutError,
  UsageError,
} from '../../src/errors.js';
import { errorKind, reportError } from '../../src/main.js';
import { createUi, ERROR_KINDS, type Report } from '../../src/ui/output.js';
import { captureStream, runInProcess } from '../support/fake-deps.js';
import { COMMAND_SCHEMAS, expectJsonMatchesSchema, schemaErrors, schemaKeyOf, SCHEMA_DIR, schemas } from '../support/json-schemas.js';

function ui(json = true) {
  const stdout = captureStream();
  const stderr = captureStream();
  return { ui: createUi({ stderrIsTTY: false, ci: true, json, color: false, verbose: false }, { stdout, stderr }), stdout, stderr };
}

/** reportError with --json: the exit code, the one object on stdout (validated against `schema`) and stderr. */
function fail(err: unknown, argv: string[] = ['rollout', '--json'], schema = 'error') {
  const t = ui();
  const code = reportError(err, t.ui, argv);
  return { code, out: expectJsonMatchesSchema(schema, t.stdout.text()), stderr: t.stderr.text() };
}

const aws = (hint?: string) => new AwsCallError('DescribeServices', 'AccessDeniedException', 403, 'DescribeServices: access denied', hint);
const rolloutReport: Report = {
  data: {
    ok: false,
    dryRun: false,
    plan: null,
    steps: [{ step: 'add-envoy', status: 'failed', detail: 'x' }],
    cluster: 'c',
    service: 's',
    failedStep: 'add-envoy',
    taskDefinitionArn: null,
    addEnvoy: null,
    updateService: null,
    waitRunning: null,
    verify: null,
    events: [],
  },
  lines: ['done: nothing', 'failed: add-envoy'],
};

describe('reportError with --json: one object for every failure', () => {
  it.each([
    ['usage', new UsageError('--count: "x" is not a number'), 2],
    ['input', new InputError('nope.json: no such file'), 2],
    ['check-failed', new CheckFailedError('no revision before crystal:1 to roll back to; pass --to REVISION'), 1],
    ['timeout', new TimeoutError('1/3 RUNNING after 5m'), 1],
    ['aws-call', aws('check the IAM policy'), 3],
    ['interrupted', new InterruptedError('interrupted'), 130],
  ] as const)('%s: the envelope, the message on stderr as before', (kind, err, exitCode) => {
    const r = fail(err);
    expect(r.code).toBe(exitCode);
    expect(r.out).toMatchObject({ ok: false, error: { exitCode, kind, message: err.message } });
    expect(r.stderr).toContain(`error: ${err.message}\n`);
  });

  it('names the operation and the hint of an AWS error, and null for the others', () => {
    expect(fail(aws('check the IAM policy')).out.error).toEqual({
      exitCode: 3,
      kind: 'aws-call',
      message: 'DescribeServices: access denied',
      operation: 'DescribeServices',
      hint: 'check the IAM policy',
      problems: [],
    });
    expect(fail(aws()).out.error).toMatchObject({ operation: 'DescribeServices', hint: null });
    expect(fail(new UsageError('bad')).out).toEqual({
      ok: false,
      resumeCommand: null,
      error: { exitCode: 2, kind: 'usage', message: 'bad', operation: null, hint: null, problems: ['bad'] },
    });
  });

  it("merges a command's failure report: its keys, ok false, its next as resumeCommand, the cause's kind", () => {
    const r = fail(
      new CommandFailedError(aws(), rolloutReport, 'meshctl rollout --from add-envoy', 'add-envoy failed: denied'),
      undefined,
      'rollout',
    );
    expect(r.code).toBe(3);
    expect(r.out).toEqual({
      ...rolloutReport.data,
      resumeCommand: 'meshctl rollout --from add-envoy',
      error: {
        exitCode: 3,
        kind: 'aws-call',
        message: 'add-envoy failed: denied',
        operation: 'DescribeServices',
        hint: null,
        problems: [],
      },
    });
    expect(r.stderr).toBe('error: add-envoy failed: denied\nresume with: meshctl rollout --from add-envoy\n');
  });

  it('introduces the next command as the command says: a retry after a rollback is not a resume', () => {
    const err = new CommandFailedError(
      new CheckFailedError('wait-running failed: x'),
      rolloutReport,
      'meshctl rollout',
      undefined,
      'retry with',
    );
    expect(fail(err, undefined, 'rollout').stderr).toBe('error: wait-running failed: x\nretry with: meshctl rollout\n');
  });

  it("keeps a report's own resumeCommand, and its error string gives way to the error object", () => {
    const report = {
      data: { ...rolloutReport.data, resumeCommand: 'meshctl rollout --from verify', error: 'verify: no output' },
      lines: [],
    };
    const { out } = fail(new CommandFailedError(new CheckFailedError('verify: no output'), report, 'other'), undefined, 'rollout');
    expect(out.resumeCommand).toBe('meshctl rollout --from verify');
    expect(out.error).toMatchObject({ kind: 'check-failed', message: 'verify: no output' });
  });

  it('says ok: false even when the report said ok', () => {
    const report = { data: { ok: true, cluster: 'c', service: 's' }, lines: [] };
    expect(fail(new CommandFailedError(new CheckFailedError('x'), report)).out.ok).toBe(false);
  });

  it('interrupted with nothing half-done: the same command resumes, as stderr says', () => {
    const r = fail(new InterruptedError('interrupted'), ['wait-running', '--json', '--count', '3']);
    expect(r.out.resumeCommand).toBe('meshctl wait-running --json --count 3');
    expect(r.stderr).toContain('run it again to resume: meshctl wait-running --json --count 3');
  });

  it('a bug: kind bug, exit 1, the message stderr shows', () => {
    const r = fail(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(r.code).toBe(1);
    expect(r.out.error).toMatchObject({ exitCode: 1, kind: 'bug', operation: null, hint: null });
    expect((r.out.error as { message: string }).message).toMatch(/^meshctl bug: Cannot read properties.*Please report it/);
    expect(r.stderr).toContain(`error: ${(r.out.error as { message: string }).message}`);
    expect(fail('a string thrown').out.error).toMatchObject({ kind: 'bug', message: expect.stringContaining('a string thrown') });
  });

  it("a commander usage error: exit 2, commander's message without its prefix (commander wrote stderr itself)", () => {
    const err = new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'rolout'\n(Did you mean rollout?)");
    const r = fail(err, ['--json', 'rolout']);
    expect(r.code).toBe(2);
    expect(r.out.error).toMatchObject({ exitCode: 2, kind: 'usage', message: "unknown command 'rolout'\n(Did you mean rollout?)" });
    expect(r.stderr).toBe('');
  });

  it('help shown for a missing command is a usage error too', () => {
    const err = new CommanderError(1, 'commander.help', '(outputHelp)');
    expect(fail(err, ['--json']).out.error).toMatchObject({
      kind: 'usage',
      message: 'no command given; the help on stderr lists the commands',
    });
    expect(fail(err, ['--json', 'migrate']).out.error).toMatchObject({
      message: '"migrate" needs a subcommand; its help on stderr lists them',
    });
  });

  it.each([
    ['commander.helpDisplayed', '(outputHelp)'],
    ['commander.version', '0.1.0\n'],
    ['commander.help', '(outputHelp)'],
  ])('%s with exit 0 is no failure: nothing on stdout', (code, message) => {
    const t = ui();
    expect(reportError(new CommanderError(0, code, message), t.ui, ['--json', '--help'])).toBe(0);
    expect(t.stdout.text()).toBe('');
  });

  it('keeps userinfo out of the JSON message, as out of stderr', () => {
    const { out } = fail(new InputError('cannot read https://user:pa55@example.com/x'));
    expect(JSON.stringify(out)).not.toContain('pa55');
  });

  it('prints no second object when a result is already out', () => {
    const t = ui();
    t.ui.result({ data: { ok: true }, lines: [] });
    reportError(new CheckFailedError('late'), t.ui, []);
    expect(JSON.parse(t.stdout.text())).toEqual({ ok: true });
    expect(t.stderr.text()).toBe('error: late\n');
  });

  it("without --json: the report's lines on stdout, no JSON", () => {
    const t = ui(false);
    expect(reportError(new CommandFailedError(new CheckFailedError('x'), rolloutReport), t.ui, [])).toBe(1);
    expect(t.stdout.text()).toBe('done: nothing\nfailed: add-envoy\n');
    const bare = ui(false);
    reportError(new UsageError('bad'), bare.ui, []);
    expect(bare.stdout.text()).toBe('');
  });
});

describe('error kinds', () => {
  const kebab = (name: string) =>
    name
      .replace(/Error$/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase();
  const classes = Object.entries(errors).filter(
    ([name, value]) =>
      typeof value === 'function' && value.prototype instanceof MeshctlError && name !== 'CommandFailedError' && name !== 'MeshctlError',
  ) as [string, abstract new (...args: never[]) => MeshctlError][];

  it.each(classes)('%s has the kind of its name', (name, type) => {
    // Every class's constructor takes (message, …) but AwsCallError's (operation, name, status, message): these args fit both.
    expect(errorKind(Reflect.construct(type, ['x', 'x', 400, 'x']))).toBe(kebab(name));
  });

  it('lists every kind once: one per error class, and bug', () => {
    expect([...ERROR_KINDS].sort()).toEqual([...classes.map(([n]) => kebab(n)), 'bug'].sort());
  });

  it("a CommandFailedError has its cause's kind; anything else is a bug", () => {
    expect(errorKind(new CommandFailedError(new TimeoutError('t')))).toBe('timeout');
    expect(errorKind(new CommandFailedError(new CommandFailedError(aws())))).toBe('aws-call');
    expect(errorKind(new Error('x'))).toBe('bug');
  });

  it('schemas/error.json lists the same kinds', () => {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, 'error.json'), 'utf8'));
    expect(schema.$defs.error.properties.kind.enum).toEqual([...ERROR_KINDS]);
  });
});

describe('schemas/', () => {
  const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'));

  it('compiles every schema (strict), each with a versioned $id named after its file', () => {
    const ajv = schemas();
    for (const f of files) {
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8'));
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`https://meshctl.dev/schemas/v1/${f}`);
      expect(ajv.getSchema(schema.$id), f).toBeDefined();
    }
  });

  it('has a schema for each command the helper knows, and no other', () => {
    expect(Object.values(COMMAND_SCHEMAS).sort()).toEqual(files.sort());
  });

  it('accepts a bare failure in every command schema, and refuses a success without its keys', () => {
    const bare = {
      ok: false,
      resumeCommand: null,
      error: { exitCode: 2, kind: 'usage', message: 'm', operation: null, hint: null, problems: ['m'] },
    };
    for (const f of files) expect(schemaErrors(f, bare), f).toEqual([]);
    expect(schemaErrors('update-service.json', { cluster: 'c' })).not.toEqual([]);
  });

  it('refuses an envelope whose kind and exit code disagree, or that lacks a key', () => {
    const error = { exitCode: 2, kind: 'usage', message: 'm', operation: null, hint: null, problems: ['m'] };
    expect(schemaErrors('error.json', { ok: false, resumeCommand: null, error: { ...error, problems: [] } })).not.toEqual([]);
    expect(schemaErrors('error.json', { ok: false, resumeCommand: null, error: { ...error, problems: undefined } })).not.toEqual([]);
    expect(schemaErrors('error.json', { ok: false, resumeCommand: null, error: { ...error, exitCode: 3 } })).not.toEqual([]);
    expect(schemaErrors('error.json', { ok: false, resumeCommand: null, error: { ...error, hint: undefined } })).not.toEqual([]);
    expect(schemaErrors('error.json', { ok: false, error })).not.toEqual([]);
    expect(schemaErrors('error.json', { ok: false, resumeCommand: null, error: { ...error, kind: 'aws-call', exitCode: 3 } })).not.toEqual(
      [],
    );
  });

  it.each([
    [['--json', 'migrate', 'plan', '--all-services'], 'migrate plan'],
    [['mesh', '--json', 'export', '--mesh', 'm'], 'mesh export'],
    [['--cluster', 'verify', 'verify', '--service-connect', '--json'], 'verify --service-connect'],
    [['--json', 'rolout'], 'error'],
    [['--json'], 'error'],
    [['--json', 'migrate'], 'error'],
    [['rollout', '--json'], 'rollout'],
  ])('%j is checked against %s', (args, key) => {
    expect(schemaKeyOf(args)).toBe(key);
  });
});

describe('the in-process path (test/support/fake-deps runInProcess)', () => {
  const fixture = 'test/fixtures/crystal-describe.json';
  it.each([
    [['--json', 'rolout'], 2, 'usage'],
    [['--json', 'wait-running', '--timeout', '5x'], 2, 'usage'],
    [['--json', 'update-service', '--service', 'no spaces'], 2, 'usage'],
    [['--json', 'add-envoy', '--dry-run', '--from-file', 'test/fixtures/nope.json'], 2, 'input'],
    [['--json', 'rollback', '--to', 'x'], 2, 'usage'],
  ])('%j: exit %i, one %s object', async (args, code, kind) => {
    const r = await runInProcess(args);
    expect(r.code, r.stderr).toBe(code);
    expect(expectJsonMatchesSchema(args, r.stdout).error).toMatchObject({ exitCode: code, kind });
  });

  it('add-envoy --dry-run --from-file: the report matches add-envoy.json', async () => {
    const args = ['add-envoy', '--json', '--dry-run', '--from-file', fixture];
    const r = await runInProcess(args);
    expect(r.code, r.stderr).toBe(0);
    expect(expectJsonMatchesSchema(args, r.stdout)).toMatchObject({ action: 'dry-run', taskDefinitionArn: expect.any(String) });
  });

  it('--help with --json prints help, exit 0', async () => {
    const r = await runInProcess(['--json', 'rollout', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});
