import type { Command } from 'commander';
import { escapeControls } from '../../core/escape.js';
import { UsageError } from '../../errors.js';
import type { StackInputs } from '../../steps/cfn-stack.js';
import { checkAll } from './common.js';
import { addOptions, type OptionDecl } from './declare.js';

/** The flags that give a CloudFormation template what its deployment knows, or read the deployed stack itself. */
export interface SourceFlags {
  fromStack?: string[];
  parameter?: string[];
  parametersFile?: string;
  stackName?: string;
  export?: string[];
}

/** The CloudFormation source flags, declared once for every command that reads a template (mesh import, migrate plan and apply). */
export const SOURCE_OPTIONS = {
  fromStack: {
    flags: '--from-stack <name>',
    help: 'a deployed CloudFormation stack: its template, parameters, resources, nested stacks; repeat for several',
    repeat: true,
  },
  parameter: {
    flags: '--parameter <key=value>',
    help: "a template parameter's value (also AWS::AccountId); repeat for several",
    repeat: true,
  },
  parametersFile: {
    flags: '--parameters-file <file>',
    help: 'parameter values: the aws cloudformation JSON list ([{"ParameterKey": …, "ParameterValue": …}]) or KEY=VALUE lines',
  },
  stackName: { flags: '--stack-name <name>', help: "the stack's name, for AWS::StackName in a template file" },
  export: {
    flags: '--export <name=value>',
    help: "an export for Fn::ImportValue (the account's exports are read when AWS answers); repeat for several",
    repeat: true,
  },
} as const satisfies Record<keyof SourceFlags, OptionDecl>;

/** Adds --from-stack, --parameter, --parameters-file, --stack-name and --export: one line in each command. */
export function addSourceFlags(cmd: Command): Command {
  return addOptions(cmd, Object.values(SOURCE_OPTIONS));
}

/** `KEY=VALUE`: the key before the first `=`, not empty, without spaces; the value may be empty. */
export function keyValue(text: string, flag: string): [string, string] {
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq) : '';
  if (!key || /\s/.test(key)) throw new UsageError(`${flag}: "${escapeControls(text)}" is not KEY=VALUE`);
  return [key, text.slice(eq + 1)];
}

/** Every pair of a repeated KEY=VALUE flag, checked at once; a key given twice is a problem too. */
function pairs(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  checkAll(
    ...(values ?? []).map((v) => () => {
      const [key, value] = keyValue(v, flag);
      if (Object.hasOwn(out, key)) throw new UsageError(`${flag}: ${escapeControls(key)} is given twice; give it once`);
      out[key] = value;
    }),
  );
  return out;
}

/** The source flags checked before any request (syntax only; names are checked against the template when it is read). */
export function toSourceOptions(flags: SourceFlags): StackInputs {
  const [parameters, exports] = checkAll(
    () => pairs(flags.parameter, '--parameter'),
    () => pairs(flags.export, '--export'),
    () => checkAll(...(flags.fromStack ?? []).map((s) => () => stackNameFlag(s, '--from-stack'))),
    () => flags.stackName !== undefined && stackNameFlag(flags.stackName, '--stack-name'),
  );
  return {
    stacks: [...new Set(flags.fromStack ?? [])],
    parameters: parameters ?? {},
    ...(flags.parametersFile !== undefined ? { parametersFile: flags.parametersFile } : {}),
    ...(flags.stackName !== undefined ? { stackName: flags.stackName } : {}),
    exports: exports ?? {},
  };
}

/** A stack's name or ID as CloudFormation takes it: a letter, then letters, digits and hyphens, at most 128; or a stack ARN. */
function stackNameFlag(value: string, flag: string): void {
  if (/^arn:aws[a-z-]*:cloudformation:/.test(value) || /^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(value)) return;
  throw new UsageError(`${flag}: "${escapeControls(value)}" is not a stack name (a letter, then letters, digits and -, at most 128)`);
}
