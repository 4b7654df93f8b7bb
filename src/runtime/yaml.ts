/** yaml, loaded only when a YAML file is read (as a bundled CommonJS package its exports sit on default). */
export async function loadYaml(): Promise<typeof import('yaml')> {
  const mod = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  return typeof mod.parse === 'function' ? mod : mod.default!;
}
