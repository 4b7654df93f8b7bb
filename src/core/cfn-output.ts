import { InputError } from '../errors.js';
import { escapeControls } from './escape.js';
import { checkJsonDepth, jsonKind } from './json.js';

/** The cfn-output.json keys meshctl reads, and the flag that overrides each. */
export const CFN_KEYS = {
  taskDefinition: { key: 'CrystalTaskDefinition', flag: '--task-definition' },
  cluster: { key: 'EcsClusterName', flag: '--cluster' },
  asg: { key: 'RubyAutoScalingGroupName', flag: '--asg' },
} as const;

export type CfnField = keyof typeof CFN_KEYS;
export type CfnOutput = Record<string, unknown>;

/**
 * Parses the text of a cfn-output.json (a flat JSON object; a UTF-8 byte-order mark is accepted);
 * `file` names it in errors.
 */
export function parseCfnOutput(fileText: string, file: string): CfnOutput {
  const text = fileText.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    throw new InputError(`${file}: the file is empty; regenerate it from the CloudFormation stack outputs`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8 quotes the text around the error: it may hold escape sequences meant for a terminal.
    const reason = escapeControls((err as Error).message);
    throw new InputError(`${file}: not valid JSON (${reason}); regenerate the file or pass the values as flags`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${file}: expected a JSON object of stack outputs, found ${jsonKind(value)}`);
  }
  checkJsonDepth(value, file);
  return value as CfnOutput;
}

/**
 * Picks one value: the flag when given, else the file's key. `output` is undefined when no file was read.
 * Throws an InputError that names the key, the file and the flag.
 */
export function cfnValue(field: CfnField, flag: string | undefined, output: CfnOutput | undefined, file: string): string {
  if (flag !== undefined) return flag;
  const { key, flag: flagName } = CFN_KEYS[field];
  if (output === undefined) {
    throw new InputError(
      `${file}: no such file, and ${flagName} was not given; pass ${flagName} or run from the folder that holds cfn-output.json`,
    );
  }
  if (!(key in output)) {
    throw new InputError(`${file}: key "${key}" is missing; pass ${flagName} or regenerate the file`);
  }
  const value = output[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError(
      `${file}: key "${key}" must be a non-empty string, found ${escapeControls(JSON.stringify(value)?.slice(0, 60) ?? 'nothing')}; pass ${flagName} or fix the file`,
    );
  }
  return value.trim();
}
