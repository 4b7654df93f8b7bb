import type { Command } from 'commander';
import type { AwsConfig } from '../aws/client-config.js';
import type { AwsClients } from '../aws/clients.js';
import { CFN_KEYS, cfnValue, parseCfnOutput, type CfnField, type CfnOutput } from '../core/cfn-output.js';
import { parseDuration } from '../core/duration.js';
import type { PollClock } from '../core/poll.js';
import { shellJoin } from '../core/shell-quote.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { Ui } from '../ui/output.js';
import { readOptionalFile, readTextFile } from './files.js';

/** What main.ts (or a test) hands every command. */
export interface Deps {
  ui: Ui;
  clock: PollClock;
  signal: AbortSignal;
  env: Readonly<Record<string, string | undefined>>;
  /** The user's arguments (after `meshctl`), to print commands that resume. */
  argv: readonly string[];
  awsClients(config: AwsConfig): AwsClients;
  /** Asks a yes/no question in a terminal; absent without one (scripts must say --yes). */
  confirm?(question: string): Promise<boolean>;
}

export const DEFAULT_CFN_OUTPUT = './cfn-output.json';

/** The flags every command shares. */
export interface GlobalFlags {
  cfnOutput?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  showSecrets?: boolean;
}

/** A command's view of the shared inputs: AWS clients, cfn-output values, the region. */
export interface Context {
  deps: Deps;
  ui: Ui;
  aws: AwsClients;
  /** --region, else AWS_REGION / AWS_DEFAULT_REGION; undefined leaves it to the SDK's chain. */
  region?: string;
  /** A value from its flag or cfn-output.json. */
  cfn(field: CfnField, flag: string | undefined): Promise<string>;
  /** A cfn-output.json value, or undefined when there is no file or no such key (never a flag's stand-in). */
  cfnIfPresent(field: CfnField): Promise<string | undefined>;
  /** --show-secrets: print secret-looking values instead of ***. */
  showSecrets: boolean;
  /** Throws InterruptedError once SIGINT or SIGTERM has arrived. */
  checkpoint(): void;
}

export function createContext(cmd: Command, deps: Deps): Context {
  const flags = cmd.optsWithGlobals<GlobalFlags>();
  const explicitFile = flags.cfnOutput !== undefined;
  const file = flags.cfnOutput ?? DEFAULT_CFN_OUTPUT;
  let loaded: Promise<CfnOutput | undefined> | undefined;
  const load = () =>
    (loaded ??= (explicitFile ? readTextFile(file, 'the --cfn-output file') : readOptionalFile(file)).then((text) =>
      text === undefined ? undefined : parseCfnOutput(text, file),
    ));
  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(flags.region)) {
    throw new UsageError(`--region: "${flags.region}" is not an AWS region name (for example us-west-2)`);
  }
  const endpointUrl = flags.endpointUrl ?? (deps.env.AWS_ENDPOINT_URL || undefined);
  if (endpointUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(endpointUrl)) {
    throw new UsageError(`${flags.endpointUrl ? '--endpoint-url' : 'AWS_ENDPOINT_URL'}: "${endpointUrl}" is not an http(s) URL`);
  }
  const region = flags.region ?? (deps.env.AWS_REGION || deps.env.AWS_DEFAULT_REGION || undefined);
  const aws = deps.awsClients({
    region,
    profile: flags.profile,
    endpointUrl,
    log: deps.ui.verboseEnabled ? (line) => deps.ui.verbose(line) : undefined,
  });
  return {
    deps,
    ui: deps.ui,
    aws,
    region,
    showSecrets: flags.showSecrets === true,
    async cfn(field, flag) {
      // An explicit --cfn-output is read even when flags cover every key, so a typo in its name shows.
      return cfnValue(field, flag, flag !== undefined && !explicitFile ? undefined : await load(), file);
    },
    async cfnIfPresent(field) {
      const output = await load();
      const value = output?.[CFN_KEYS[field].key];
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    },
    checkpoint() {
      if (deps.signal.aborted) throw new InterruptedError('interrupted');
    },
  };
}

/** Parses an optional duration flag. */
export function durationFlag(value: string | undefined, flag: string, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseDuration(value, flag);
}

/** Parses a whole number flag within bounds. */
export function intFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag}: "${value}" is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag}: ${n} is out of range (${min} to ${max})`);
  return n;
}

/** A resource name as ECS takes it: letters, digits, hyphens and underscores, or an ARN. */
export function nameFlag(value: string, flag: string): string {
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(value) && !/^arn:[^\s]+$/.test(value)) {
    throw new UsageError(`${flag}: "${value}" is not a valid name (letters, digits, - and _; or an ARN)`);
  }
  return value;
}

/** `meshctl <the user's own arguments>` with `--from` replaced, quoted, ready to paste. */
export function resumeCommand(argv: readonly string[], from?: string): string {
  // Keeps the user's own arguments, in their order; only --from is replaced.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--from') i++;
    else if (!a.startsWith('--from=')) args.push(a);
  }
  return `meshctl ${shellJoin(from ? [...args, '--from', from] : args)}`;
}
