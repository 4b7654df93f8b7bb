import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { commandOf } from '../../src/main.js';
import { projectRoot } from './paths.js';

export const SCHEMA_DIR = join(projectRoot(), 'schemas');
export const SCHEMA_BASE = 'https://meshctl.dev/schemas/v1/';

/** The schema file of each command's --json output; `error` is a failure before any command was named. */
export const COMMAND_SCHEMAS: Readonly<Record<string, string>> = {
  'add-envoy': 'add-envoy.json',
  'update-service': 'update-service.json',
  'wait-running': 'wait-running.json',
  verify: 'verify.json',
  'verify --service-connect': 'verify-service-connect.json',
  rollout: 'rollout.json',
  rollback: 'rollback.json',
  doctor: 'doctor.json',
  'migrate plan': 'migrate-plan.json',
  'migrate apply': 'migrate-apply.json',
  'migrate verify': 'migrate-verify.json',
  'migrate status': 'migrate-status.json',
  'migrate abort': 'migrate-abort.json',
  'migrate finish': 'migrate-finish.json',
  'migrate cleanup': 'migrate-cleanup.json',
  'mesh plan': 'mesh-plan.json',
  'mesh apply': 'mesh-apply.json',
  'mesh delete': 'mesh-delete.json',
  'mesh export': 'mesh-export.json',
  'mesh import': 'mesh-import.json',
  completion: 'completion.json',
  'sandbox up': 'sandbox-up.json',
  'sandbox status': 'sandbox-status.json',
  'sandbox down': 'sandbox-down.json',
  'sandbox reset': 'sandbox-reset.json',
  'sandbox run': 'sandbox-run.json',
  error: 'error.json',
};

/** Commands whose subcommand names the output. */
const GROUPS = new Set(['migrate', 'mesh', 'sandbox']);

/**
 * The key of COMMAND_SCHEMAS for a command line: `['--json', 'migrate', 'plan', '--all-services']` is
 * `migrate plan`; no known command (a typo, none at all) is `error`, the only output it can have.
 */
export function schemaKeyOf(args: readonly string[]): string {
  const command = commandOf(args);
  if (!command) return 'error';
  if (GROUPS.has(command)) {
    const sub = args.slice(args.indexOf(command) + 1).find((a) => !a.startsWith('-'));
    const key = `${command} ${sub}`;
    return Object.hasOwn(COMMAND_SCHEMAS, key) ? key : 'error';
  }
  if (command === 'verify' && args.includes('--service-connect')) return 'verify --service-connect';
  return command;
}

let ajv: Ajv2020 | undefined;

/** Every file in schemas/, compiled once (strict: an unknown keyword or a bad $ref is an error here). */
export function schemas(): Ajv2020 {
  if (ajv) return ajv;
  const made = new Ajv2020({ allErrors: true, strict: true });
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) {
    made.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as object);
  }
  ajv = made;
  return made;
}

const describeErrors = (errors: readonly ErrorObject[] | null | undefined): string =>
  (errors ?? []).map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');

/** Validates one value against one schema file; the errors, or [] when it matches. */
export function schemaErrors(file: string, value: unknown): string[] {
  const validate = schemas().getSchema(`${SCHEMA_BASE}${file}`);
  if (!validate) throw new Error(`no schema ${file} in ${SCHEMA_DIR}`);
  return validate(value) ? [] : describeErrors(validate.errors).split('\n');
}

/**
 * Asserts that `stdout` is exactly one JSON object (and a newline) that matches the command's schema; a
 * failure (`ok: false` with `error`) must also match schemas/error.json. `command` is a key of
 * COMMAND_SCHEMAS (`'migrate plan'`) or the arguments meshctl ran with. Returns the parsed object.
 */
export function expectJsonMatchesSchema(command: string | readonly string[], stdout: string): Record<string, unknown> {
  const key = typeof command === 'string' ? command : schemaKeyOf(command);
  const file = COMMAND_SCHEMAS[key];
  if (!file) throw new Error(`no schema for "${key}"; add it to COMMAND_SCHEMAS in test/support/json-schemas.ts`);
  expect(stdout, 'stdout holds one JSON object and a newline').toMatch(/^\{[\s\S]*\}\n$/);
  let value: unknown;
  expect(() => (value = JSON.parse(stdout)), `stdout is not one JSON value:\n${stdout}`).not.toThrow();
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), 'the JSON value is an object').toBe(true);
  const out = value as Record<string, unknown>;
  const against = [file, ...(out.ok === false && 'error' in out && file !== 'error.json' ? ['error.json'] : [])];
  for (const f of against) {
    const errors = schemaErrors(f, out);
    expect(errors, `${key} --json does not match schemas/${f}:\n${errors.join('\n')}\n${stdout}`).toEqual([]);
  }
  return out;
}

/** The error object of a failed --json run (schemas/error.json). */
export type ErrorOut = { exitCode: number; kind: string; message: string; operation: string | null; hint: string | null };

/**
 * A --json run whose first AWS call found nothing listening: exit 3, the operation and the endpoint on
 * stderr, and one error object of kind aws-call (with the operation and a hint) that says the same.
 */
export function expectUnreachableAws(args: readonly string[], r: { code: number | null; stdout: string; stderr: string }): void {
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toMatch(/error: \w+: could not reach AWS at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  const error = expectJsonMatchesSchema(args, r.stdout).error as ErrorOut;
  expect(error).toMatchObject({ exitCode: 3, kind: 'aws-call', operation: expect.stringMatching(/^[A-Z]\w+$/), hint: expect.any(String) });
  expect(r.stderr).toContain(`error: ${error.message}`);
}
