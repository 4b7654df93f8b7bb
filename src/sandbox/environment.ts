import { shellJoin, shellQuote } from '../core/shell-quote.js';
import { SANDBOX_PROFILE, SANDBOX_VARIABLE } from './detect.js';

/** The region every sandbox world lives in (the workshop's). */
export const SANDBOX_REGION = 'us-west-2';

/** moto checks no signature: any key pair works, and these say so. */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** The variables a shell needs to point meshctl (and the AWS CLI) at the sandbox, in the order printed. */
export function sandboxEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: SANDBOX_REGION,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    [SANDBOX_VARIABLE]: endpoint,
  };
}

/** `export NAME=value` lines, every value shell-quoted: what `eval "$(meshctl sandbox up)"` runs. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
}

/** The sandbox's own AWS config file: one profile with its region and endpoint. */
export function profileConfigText(endpoint: string): string {
  return `[profile ${SANDBOX_PROFILE}]\nregion = ${SANDBOX_REGION}\nendpoint_url = ${endpoint}\n`;
}

/** The sandbox's own AWS credentials file: moto's dummy key pair under the profile's name. */
export function profileCredentialsText(): string {
  return (
    `[${SANDBOX_PROFILE}]\n` +
    `aws_access_key_id = ${SANDBOX_CREDENTIALS.accessKeyId}\n` +
    `aws_secret_access_key = ${SANDBOX_CREDENTIALS.secretAccessKey}\n`
  );
}

/**
 * How to run a command with the profile instead of the exported variables, paths quoted. AWS_PROFILE
 * rather than `--profile meshctl-sandbox` (which meshctl reads the same way, endpoint_url included):
 * the one line then works unchanged for the AWS CLI and any SDK script too.
 */
export function profileUsage(configFile: string, credentialsFile: string, command: readonly string[] = ['meshctl']): string {
  const files = `AWS_CONFIG_FILE=${shellQuote(configFile)} AWS_SHARED_CREDENTIALS_FILE=${shellQuote(credentialsFile)}`;
  return `${files} AWS_PROFILE=${SANDBOX_PROFILE} ${shellJoin(command)}`;
}
