/**
 * The AWS settings a client gets from the environment and the shared config files, resolved with the
 * SDK's own providers (@smithy/core/config: loadConfig, loadSharedConfigFiles, booleanSelector) for
 * the profile meshctl names. The SDK's clients read region and credentials for a `profile` option,
 * but their configured endpoint (AWS_ENDPOINT_URL*, `endpoint_url`, `services`) only ever for
 * AWS_PROFILE (@smithy/core getEndpointFromConfig takes no profile): resolving it here, with the same
 * selectors and precedence, is what makes `--profile P` the same as `AWS_PROFILE=P`. Loaded with the
 * first AWS client, never by an offline command.
 */
import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { booleanSelector, CONFIG_PREFIX_SEPARATOR, getHomeDir, loadConfig, loadSharedConfigFiles, SelectorType } from '@smithy/core/config';
import { endpointUrlProblem } from '../core/endpoint-url.js';
import { escapeControls } from '../core/escape.js';
import { UsageError } from '../errors.js';
import type { AwsConfig } from './client-config.js';

type Section = Record<string, string | undefined>;
type Files = Record<string, Section | undefined>;

/** A resolved value and where it came from (`AWS_ENDPOINT_URL_ECS`, `profile "p" endpoint_url`...). */
interface Found {
  value: string;
  from: string;
}

/** The files the SDK reads whose names come from the environment, with the default of each (under the home folder). */
const SDK_FILES: readonly (readonly [variable: string, fallback: string | undefined])[] = [
  ['AWS_CONFIG_FILE', '.aws/config'],
  ['AWS_SHARED_CREDENTIALS_FILE', '.aws/credentials'],
  ['AWS_WEB_IDENTITY_TOKEN_FILE', undefined],
  ['AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', undefined],
];

function kindOf(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Refuses, before the SDK opens it, a file it would read (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,
 * their defaults ~/.aws/config and ~/.aws/credentials, a token file) that is there but is not a regular
 * file: the SDK would wait forever for a FIFO's writer, in a thread no signal reaches, or read a device
 * without end. stat(2) never blocks; a missing file is the SDK's to treat as empty. Exit 2, naming the variable.
 */
export function checkSdkFiles(env: Readonly<Record<string, string | undefined>> = process.env): void {
  const problems: string[] = [];
  // As the SDK finds the home folder (getHomeDir), from the environment given.
  const home = env.HOME || env.USERPROFILE || getHomeDir();
  for (const [variable, fallback] of SDK_FILES) {
    const named = env[variable] || undefined;
    if (named === undefined && fallback === undefined) continue;
    // The SDK expands a leading ~/ as the home folder (@smithy/shared-ini-file-loader).
    const path = named === undefined ? join(home, fallback!) : named.startsWith('~/') ? join(home, named.slice(2)) : named;
    let kind: string | undefined;
    try {
      kind = kindOf(statSync(path));
    } catch {
      continue;
    }
    if (!kind) continue;
    const what = named === undefined ? `${escapeControls(path)} (the default of ${variable})` : `${variable}: "${escapeControls(named)}"`;
    problems.push(`${what} is ${kind}, expected a regular file; the AWS SDK reads it: name a file, or unset ${variable}`);
  }
  if (problems.length) throw UsageError.of(problems);
}

/**
 * Refuses a profile that is named (--profile, AWS_PROFILE) but is in neither shared file: the SDK
 * would go on without it and fail later on something else ("Region is missing", no credentials).
 */
export async function checkProfile(
  config: AwsConfig,
  // The SDK reads the files these name from process.env too.
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  if (config.profile === undefined) return;
  const { configFile, credentialsFile } = await loadSharedConfigFiles();
  if (configFile[config.profile] !== undefined || credentialsFile[config.profile] !== undefined) return;
  const files = `${env.AWS_CONFIG_FILE || '~/.aws/config'} nor ${env.AWS_SHARED_CREDENTIALS_FILE || '~/.aws/credentials'}`;
  throw new UsageError(
    `${config.profileFrom ?? '--profile'}: the AWS profile "${escapeControls(config.profile)}" is missing: it is in neither ${escapeControls(files)}; ` +
      'name a profile those files have (`aws configure list-profiles`), or set AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE',
  );
}

/** `App Mesh` as AWS_ENDPOINT_URL_APP_MESH and as the `app_mesh` key of a services section, as the SDK spells them. */
const envSuffix = (serviceId: string) =>
  serviceId
    .split(' ')
    .map((w) => w.toUpperCase())
    .join('_');
const configKey = (serviceId: string) =>
  serviceId
    .split(' ')
    .map((w) => w.toLowerCase())
    .join('_');

/**
 * The SDK's provider chain swallows what a selector throws and goes on to the next link (so the SDK
 * takes a missing services section, or `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=yes`, as "not set" and
 * quietly talks to AWS): the selectors note the problem here instead, and it is thrown afterwards.
 */
class Problems {
  first?: UsageError;
  note(message: string): undefined {
    this.first ??= new UsageError(message);
    return undefined;
  }
  async after<T>(value: Promise<T>): Promise<T> {
    const v = await value;
    if (this.first) throw this.first;
    return v;
  }
}

/**
 * The SDK's endpoint selectors (@smithy/core getEndpointUrlConfig, which it does not export), that
 * also say where the value came from. Precedence, as in the SDKs' "Service-specific endpoints":
 * AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's `services` section, its `endpoint_url`.
 */
function endpointSelectors(serviceId: string, profile: string, problems: Problems) {
  return {
    environmentVariableSelector: (env: Record<string, string | undefined>): Found | undefined => {
      const name = `AWS_ENDPOINT_URL_${envSuffix(serviceId)}`;
      if (env[name]) return { value: env[name]!, from: name };
      return env.AWS_ENDPOINT_URL ? { value: env.AWS_ENDPOINT_URL, from: 'AWS_ENDPOINT_URL' } : undefined;
    },
    configFileSelector: (section: Section, files?: Files): Found | undefined => {
      const shown = escapeControls(profile);
      if (section.services) {
        const services = files?.[['services', section.services].join(CONFIG_PREFIX_SEPARATOR)];
        if (!services)
          return problems.note(
            `profile "${shown}": its services section "${escapeControls(section.services)}" is not in the AWS config file; ` +
              `add [services ${escapeControls(section.services)}] or remove the services line`,
          );
        const url = services[[configKey(serviceId), 'endpoint_url'].join(CONFIG_PREFIX_SEPARATOR)];
        if (url)
          return {
            value: url,
            from: `profile "${shown}" services "${escapeControls(section.services)}" ${configKey(serviceId)} endpoint_url`,
          };
      }
      return section.endpoint_url ? { value: section.endpoint_url, from: `profile "${shown}" endpoint_url` } : undefined;
    },
    default: undefined,
  };
}

function ignoreSelectors(profile: string, problems: Problems) {
  const read = (obj: Section, key: string, type: SelectorType, where: string) => {
    try {
      return booleanSelector(obj, key, type);
    } catch {
      return problems.note(`${where}: "${escapeControls(String(obj[key]))}" is neither true nor false`);
    }
  };
  return {
    environmentVariableSelector: (env: Section) =>
      read(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', SelectorType.ENV, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'),
    configFileSelector: (section: Section) =>
      read(
        section,
        'ignore_configured_endpoint_urls',
        SelectorType.CONFIG,
        `profile "${escapeControls(profile)}" ignore_configured_endpoint_urls`,
      ),
    default: false,
  };
}

/**
 * The endpoint of one service (by its SDK service id), or undefined: the SDK's default, AWS itself.
 * --endpoint-url beats everything; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
 * ignore_configured_endpoint_urls) = true turns every configured one off.
 */
export async function resolveEndpoint(config: AwsConfig, serviceId: string): Promise<Found | undefined> {
  if (config.endpointUrl !== undefined) return { value: config.endpointUrl, from: config.endpointFrom ?? '--endpoint-url' };
  const init = { profile: config.profile };
  const profile = config.profile ?? 'default';
  const problems = new Problems();
  if (await problems.after(loadConfig(ignoreSelectors(profile, problems), init)())) return undefined;
  const found = await problems.after(loadConfig<Found | undefined>(endpointSelectors(serviceId, profile, problems), init)());
  if (!found) return undefined;
  const problem = endpointUrlProblem(found.value, found.from);
  if (problem) throw new UsageError(problem);
  return found;
}

/** Where the SDK will find the region when meshctl passes none: the profile's `region`, else its default chain. */
export async function regionSource(config: AwsConfig): Promise<string> {
  if (config.region !== undefined) return config.regionFrom ?? '--region';
  const profile = config.profile ?? 'default';
  const inProfile = await loadConfig(
    { environmentVariableSelector: () => undefined, configFileSelector: (section: Section) => section.region, default: undefined },
    { profile: config.profile, preferredFile: 'credentials' },
  )().catch(() => undefined);
  return inProfile ? `profile "${profile}"` : "the SDK's default chain";
}

/** The config for one service's client (the caller checks the profile once): its endpoint, and where its region comes from. */
export async function serviceConfig(config: AwsConfig, serviceId: string): Promise<AwsConfig> {
  const endpoint = await resolveEndpoint(config, serviceId);
  return { ...config, endpointUrl: endpoint?.value, endpointFrom: endpoint?.from, regionFrom: await regionSource(config) };
}
