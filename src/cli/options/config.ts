import type { Command } from 'commander';
import type { ConfigFile } from '../../core/config-file.js';
import { escapeControls } from '../../core/escape.js';
import { InputError, UsageError } from '../../errors.js';
import { loadConfigFile, type LoadedConfig } from '../../runtime/config-file.js';
import type { Deps } from '../../runtime/context.js';
import { checkAll, deferProblems, durationFlag, intFlag, nameFlag } from './common.js';
import { envoyImageFlag, meshNameFlag } from './envoy.js';
import { hostFlag } from './verify.js';

const TEMPLATE = '{service}';

/** A `{service}` template checked with a sample name, as rollout checks its flags; the message shows it as written. */
function templateFlag(value: string, flag: string, check: (v: string, flag: string) => string, what: string): void {
  try {
    check(value.replaceAll(TEMPLATE, 'service'), flag);
  } catch (err) {
    if (!(err instanceof UsageError) || !value.includes(TEMPLATE)) throw err;
    throw new UsageError(`${flag}: "${escapeControls(value)}" is not a valid ${what}, with ${TEMPLATE} standing for a service name`);
  }
}

/** Each key's check by the rules of the flag it stands for (the key, as CONFIG_USES names it, then its check). */
function valueChecks({ file, config: c }: LoadedConfig): [key: string, check: () => unknown][] {
  const at = (key: string) => `${file}: ${key}`;
  return [
    ['cluster', () => c.cluster !== undefined && nameFlag(c.cluster, at('cluster'), 'cluster')],
    ...(c.services ?? []).map((s, i): [string, () => unknown] => ['services', () => nameFlag(s, at(`services[${i}]`), 'service')]),
    ['mesh', () => c.mesh !== undefined && meshNameFlag(c.mesh, at('mesh'))],
    ['virtualNode', () => c.virtualNode !== undefined && templateFlag(c.virtualNode, at('virtualNode'), meshNameFlag, 'App Mesh name')],
    ['host', () => c.host !== undefined && templateFlag(c.host, at('host'), hostFlag, 'DNS name or IPv4 address')],
    ['envoyImage', () => c.envoyImage !== undefined && envoyImageFlag(c.envoyImage, at('envoyImage'))],
    ['timeouts.wait', () => durationFlag(c.timeouts?.wait, at('timeouts.wait'), 0, 1000)],
    ['timeouts.verify', () => durationFlag(c.timeouts?.verify, at('timeouts.verify'), 0, 1000)],
    ['interval', () => durationFlag(c.interval, at('interval'), 0, 100)],
    ['concurrency', () => intFlag(c.concurrency, at('concurrency'), 1, 50)],
  ];
}

/**
 * Checks the file: its shape's problems, and its values by the rules of the flags they stand for, each
 * named by its key; all at once. `bad` gets each key whose value has a problem (its value is not used).
 */
export function checkConfigValues(loaded: LoadedConfig, bad = new Set<string>()): void {
  checkAll(
    () => {
      if (loaded.problems.length) throw UsageError.of(loaded.problems);
    },
    ...valueChecks(loaded).map(([key, check]) => () => {
      try {
        return check();
      } catch (err) {
        bad.add(key);
        throw err;
      }
    }),
  );
}

type Opts = Record<string, unknown>;

/** One option a key of the file stands in for. */
interface Use {
  /** The option's attribute name (commander's camelCase). */
  option: string;
  key: string;
  /** The value to give the option; undefined leaves it alone. May throw a UsageError naming the key. */
  value(config: ConfigFile, file: string, command: string): string | string[] | undefined;
  /** When the option means something given the command's other flags (absent: always). */
  when?(opts: Opts): boolean;
}

const plain = (key: 'mesh' | 'envoyImage' | 'interval' | 'concurrency', option: string = key): Use => ({
  option,
  key,
  value: (c) => c[key],
});
const timeout = (which: 'wait' | 'verify', option = 'timeout'): Use => ({
  option,
  key: `timeouts.${which}`,
  value: (c) => c.timeouts?.[which],
});
/** A template a command without a service name cannot fill: used only when it holds no {service}. */
const literal = (key: 'virtualNode' | 'host', option: string = key): Use => ({
  option,
  key,
  value: (c) => (c[key]?.includes(TEMPLATE) ? undefined : c[key]),
});
const template = (key: 'virtualNode' | 'host'): Use => ({ option: key, key, value: (c) => c[key] });
/** --service of a command that takes one: the file's list must hold exactly one. */
const oneService: Use = {
  option: 'service',
  key: 'services',
  value(c, file, command) {
    if (c.services === undefined || c.services.length === 1) return c.services?.[0];
    throw new UsageError(`${file}: services lists ${c.services.length} services, but meshctl ${command} takes one; pass --service`);
  },
};
/** --service of a command that takes several, unless --all-services chooses them. */
const services: Use = { option: 'service', key: 'services', value: (c) => c.services, when: (o) => o.allServices !== true };

const cluster: Use = { option: 'cluster', key: 'cluster', value: (c) => c.cluster };

/** The options each command takes from the file (docs/configuration.md's meshctl.yaml table says the same). */
export const CONFIG_USES: Readonly<Record<string, readonly Use[]>> = {
  'add-envoy': [plain('mesh'), { ...literal('virtualNode'), when: (o) => o.virtualGateway === undefined }, plain('envoyImage')],
  'update-service': [oneService],
  'wait-running': [oneService, timeout('wait'), plain('interval')],
  verify: [
    { ...oneService, when: (o) => o.serviceConnect === true },
    { ...literal('host'), when: (o) => o.serviceConnect !== true },
    { ...timeout('verify'), when: (o) => o.serviceConnect !== true },
  ],
  rollout: [
    services,
    plain('mesh'),
    template('virtualNode'),
    plain('envoyImage'),
    template('host'),
    timeout('wait'),
    timeout('verify', 'verifyTimeout'),
    plain('interval'),
    plain('concurrency'),
  ],
  rollback: [oneService, timeout('wait'), plain('interval')],
  doctor: [oneService],
  'migrate plan': [services, plain('concurrency')],
  'migrate apply': [services, plain('concurrency'), timeout('wait'), plain('interval')],
  'migrate status': [services],
  'migrate abort': [services],
  'migrate finish': [services],
};

/** The global options the file stands in for, on every command. */
export const CONFIG_GLOBALS: readonly Use[] = [cluster];

const rootOf = (cmd: Command): Command => (cmd.parent ? rootOf(cmd.parent) : cmd);

/** `migrate apply` for that subcommand: its names below the program. */
export function commandPath(cmd: Command): string {
  return cmd.parent ? [commandPath(cmd.parent), cmd.name()].filter(Boolean).join(' ') : '';
}

/**
 * Reads the config file (--config, else ./meshctl.yaml; none with --no-config), checks it whole, and
 * gives each option the command takes from it the file's value, unless the user gave that option
 * (on the command line or through the environment): a flag beats the file, the file beats commander's
 * defaults, and cfn-output.json comes after both (it stands in for a flag that has no value).
 *
 * The file's problems (and a file that cannot be read) are not thrown here: they are kept for the
 * command's own validation pass (deferProblems), so that a bad file and a bad flag show in one run.
 * A key whose value has a problem gives its option nothing.
 */
export async function applyConfigFile(action: Command, deps: Deps): Promise<void> {
  try {
    await useConfigFile(action, deps);
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof InputError)) throw err;
    deferProblems(action, err);
  }
}

async function useConfigFile(action: Command, deps: Deps): Promise<void> {
  const root = rootOf(action);
  const named = root.opts<{ config?: string | false }>().config;
  if (named === false) return;
  const loaded = await loadConfigFile(named);
  if (!loaded) return;
  const path = commandPath(action);
  const opts = action.optsWithGlobals<Opts>();
  const used: string[] = [];
  const beaten: string[] = [];
  const bad = new Set<string>();
  const uses = [...CONFIG_GLOBALS.map((u) => [root, u] as const), ...(CONFIG_USES[path] ?? []).map((u) => [action, u] as const)];
  try {
    // One pass: the file's own problems and what this command cannot take from it, all at once.
    checkAll(
      () => checkConfigValues(loaded, bad),
      ...uses.map(([cmd, use]) => () => {
        if (use.when && !use.when(opts)) return;
        const source = cmd.getOptionValueSource(use.option);
        if (source !== undefined && source !== 'default') {
          if (use.key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], loaded.config) !== undefined)
            beaten.push(use.key);
          return;
        }
        if (bad.has(use.key)) return;
        const value = use.value(loaded.config, loaded.file, path);
        if (value === undefined) return;
        cmd.setOptionValueWithSource(use.option, value, 'config');
        used.push(use.key);
      }),
    );
  } finally {
    const flags = beaten.length ? `; given as flags instead: ${beaten.join(', ')}` : '';
    deps.ui.verbose(`${loaded.file}: ${used.length ? `used ${used.join(', ')}` : `nothing used by meshctl ${path}`}${flags}`);
  }
}
