import type { Command } from 'commander';
import { addOptions, optionName, takesValue, type OptionDecl } from './declare.js';

/** A global option: every command takes it. */
export interface GlobalOptionDecl extends OptionDecl {
  /**
   * Carried into a command meshctl prints for the user to run next when that is another command than
   * theirs (a failed rollback's `meshctl rollback …`): where to reach AWS and how to print. A command's
   * own resume repeats the user's arguments whole, so it needs no such list.
   */
  readonly kept: boolean;
}

/**
 * The global options, declared once: the program's options and their help come from here, and so do
 * the facts meshctl's own argument readers need (which take a value, so that a value is never read as
 * a command's name; which a printed command keeps). The order is the order --help shows.
 */
export const GLOBAL_OPTIONS: readonly GlobalOptionDecl[] = [
  {
    flags: '--config <file>',
    help: 'a file of defaults for flags (default: ./meshctl.yaml, else ./meshctl.yml, when there)',
    kept: true,
  },
  { flags: '--no-config', help: 'read no config file', kept: true },
  { flags: '--cfn-output <file>', help: 'CloudFormation outputs file (default: ./cfn-output.json)', kept: true },
  // Not kept: the command meshctl prints names its own service and revision (rollback's --cluster, --service, --to).
  {
    flags: '--task-definition <ref>',
    help: 'instead of CrystalTaskDefinition: an ARN, family:revision, or family (its latest revision)',
    kept: false,
  },
  { flags: '--cluster <name>', help: 'instead of EcsClusterName: the ECS cluster', kept: false },
  {
    flags: '--asg <name>',
    help: 'instead of RubyAutoScalingGroupName: the auto scaling group verify picks an instance from',
    kept: false,
  },
  { flags: '--region <region>', help: 'AWS region (default: the SDK chain: AWS_REGION, profile)', kept: true },
  { flags: '--profile <name>', help: 'AWS profile', kept: true },
  { flags: '--endpoint-url <url>', help: 'AWS endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)', kept: true },
  { flags: '--json', help: 'print one JSON object on stdout and nothing else there', kept: true },
  { flags: '--verbose', help: 'print each AWS call with its duration on stderr', kept: true },
  { flags: '--no-color', help: 'no colour (also NO_COLOR)', kept: true },
  {
    flags: '--show-secrets',
    help: 'show secret-looking values (PASSWORD, SECRET, TOKEN, KEY, ...PASS, ...PWD, URL passwords) instead of ***',
    kept: true,
  },
];

/** Adds the global options to the program. */
export function addGlobalOptions(program: Command): Command {
  return addOptions(program, GLOBAL_OPTIONS);
}

/** The global options that take a value (`--region eu-west-1`): that value is not a command's name. */
export const GLOBAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(GLOBAL_OPTIONS.filter(takesValue).map(optionName));

/**
 * The flags a printed command for another command keeps from the user's arguments: the global ones
 * declared kept, and `shared`, options both commands declare (rollout's wait flags, which rollback takes too).
 */
export function keptFlags(shared: readonly OptionDecl[] = []): { values: string[]; switches: string[] } {
  const kept = [...GLOBAL_OPTIONS.filter((o) => o.kept), ...shared];
  return { values: kept.filter(takesValue).map(optionName), switches: kept.filter((o) => !takesValue(o)).map(optionName) };
}
