import type { AwsConfig } from '../aws/client-config.js';
import type { AwsClients } from '../aws/clients.js';
import { CFN_KEYS, cfnValue, parseCfnOutput, type CfnField, type CfnOutput } from '../core/cfn-output.js';
import { endpointUrlProblem } from '../core/endpoint-url.js';
import { escapeControls } from '../core/escape.js';
import type { PollClock } from '../core/poll.js';
import { announceSandbox, sandboxOf, type SandboxTarget } from '../sandbox/detect.js';
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

/** The global flags a step's context is built from. */
export interface GlobalFlags {
  cfnOutput?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  showSecrets?: boolean;
}

/** What every step gets: one ui, the AWS clients, the clock and signal, and the cfn-output values. */
export interface Context {
  ui: Ui;
  aws: AwsClients;
  clock: PollClock;
  signal: AbortSignal;
  /** --region, else AWS_REGION / AWS_DEFAULT_REGION; undefined leaves it to the SDK's chain. */
  region?: string;
  /** A value from its flag or cfn-output.json. */
  cfn(field: CfnField, flag: string | undefined): Promise<string>;
  /** A cfn-output.json value, or undefined when there is no file or no such key (never a flag's stand-in). */
  cfnIfPresent(field: CfnField): Promise<string | undefined>;
  /** The cfn-output file as the user named it (--cfn-output, else ./cfn-output.json), escaped: messages name a value's real source. */
  cfnFile: string;
  /** --show-secrets: print secret-looking values instead of ***. */
  showSecrets: boolean;
  /** Set when the endpoint is a `meshctl sandbox` (moto): the AWS clients said so once, on stderr. */
  sandbox?: SandboxTarget;
  /** Throws InterruptedError once SIGINT or SIGTERM has arrived. */
  checkpoint(): void;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true, exactly as the SDK compares it. */
const ignoresConfigured = (env: Deps['env']) => env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true';

/** Builds the context from the global flags; checks the region and endpoint before any AWS call. */
export function createContext(flags: GlobalFlags, deps: Deps): Context {
  const explicitFile = flags.cfnOutput !== undefined;
  const file = flags.cfnOutput ?? DEFAULT_CFN_OUTPUT;
  let loaded: Promise<CfnOutput | undefined> | undefined;
  const load = () =>
    (loaded ??= (explicitFile ? readTextFile(file, 'the --cfn-output file') : readOptionalFile(file)).then((text) =>
      text === undefined ? undefined : parseCfnOutput(text, file),
    ));
  const region = flags.region ?? (deps.env.AWS_REGION || deps.env.AWS_DEFAULT_REGION || undefined);
  const regionFrom =
    region === undefined ? undefined : flags.region !== undefined ? '--region' : deps.env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
  // Every problem of the region, endpoint and retries at once (a validation pass of its own, nested in the command's).
  const problems: string[] = [];
  if (region !== undefined && !REGION.test(region)) {
    problems.push(`${regionFrom}: "${escapeControls(region)}" is not an AWS region name (for example us-west-2)`);
  }
  // --endpoint-url beats everything; without it each client gets what the SDK's chain gives its service
  // (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's services section or endpoint_url: src/aws/shared-config.ts).
  const endpointUrl = flags.endpointUrl;
  const generalEndpoint = deps.env.AWS_ENDPOINT_URL || undefined;
  // Checked here too, before any file is read, unless --endpoint-url or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS puts it aside.
  const [checked, from] =
    endpointUrl !== undefined ? [endpointUrl, '--endpoint-url'] : ignoresConfigured(deps.env) ? [] : [generalEndpoint, 'AWS_ENDPOINT_URL'];
  const problem = checked === undefined ? undefined : endpointUrlProblem(checked, from!);
  if (problem) problems.push(problem);
  const attempts = deps.env.AWS_MAX_ATTEMPTS?.trim();
  if (attempts && !/^([1-9]|1\d|20)$/.test(attempts))
    problems.push(`AWS_MAX_ATTEMPTS: "${escapeControls(attempts)}" is not a whole number from 1 to 20`);
  if (problems.length) throw UsageError.of(problems);
  const ui = deps.ui;
  const sandbox = sandboxOf(flags, deps.env);
  const aws = announceSandbox(
    deps.awsClients({
      region,
      regionFrom,
      // AWS_PROFILE passed on is what the SDK would read itself; named, it is checked and shown the same way as --profile.
      profile: flags.profile ?? (deps.env.AWS_PROFILE || undefined),
      profileFrom: flags.profile !== undefined ? '--profile' : 'AWS_PROFILE',
      endpointUrl,
      maxAttempts: attempts ? Number(attempts) : undefined,
      // Through the ui, so that a board (many services) shows them above its lines.
      log: ui.verboseEnabled ? (line) => ui.verbose(line) : undefined,
    }),
    sandbox,
    (line) => ui.info(line),
  );
  return {
    ui,
    aws,
    clock: deps.clock,
    signal: deps.signal,
    region,
    sandbox,
    showSecrets: flags.showSecrets === true,
    cfnFile: escapeControls(file),
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
