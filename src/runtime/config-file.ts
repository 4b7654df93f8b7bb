import { configShape, type ConfigFile } from '../core/config-file.js';
import { escapeControls } from '../core/escape.js';
import { readOptionalFile, readTextFile } from './files.js';
import { parseYaml } from './yaml.js';

/** The files looked for in the current folder when --config is not given, in this order. */
export const DEFAULT_CONFIG_FILES = ['meshctl.yaml', 'meshctl.yml'] as const;

export interface LoadedConfig {
  /** The file as the user named it (or meshctl.yaml), for messages. */
  file: string;
  /** The keys whose shape is right. */
  config: ConfigFile;
  /** What is wrong with the others (unknown keys, wrong types), for the command's validation pass. */
  problems: string[];
}

/**
 * Reads the config file and checks its shape: `explicit` (--config) must exist; without it ./meshctl.yaml (else
 * ./meshctl.yml) is read when it is there. Undefined when there is none. Errors name the file and key.
 */
export async function loadConfigFile(explicit: string | undefined): Promise<LoadedConfig | undefined> {
  let file: string | undefined;
  let text: string | undefined;
  if (explicit !== undefined) {
    [file, text] = [explicit, await readTextFile(explicit, 'the --config file')];
  } else {
    for (const name of DEFAULT_CONFIG_FILES) {
      text = await readOptionalFile(name);
      if (text !== undefined) {
        file = name;
        break;
      }
    }
  }
  if (file === undefined || text === undefined) return undefined;
  const name = escapeControls(file);
  // yaml loads only when there is a config file: it would cost every start.
  const value = await parseYaml(text, file, 'YAML');
  return { file: name, ...configShape(value, name) };
}
