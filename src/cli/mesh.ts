import type { Command } from 'commander';
import type { AppMeshKind } from '../aws/mesh-resources.js';
import { formatChanges } from '../core/json-diff.js';
import { validateMeshFile, type MeshFile } from '../core/mesh-file.js';
import { deletionOrder, fromAwsSpec, planMesh, toAwsSpec, toMeshFile, type MeshAction, type MeshObject } from '../core/mesh-plan.js';
import { AwsCallError, InputError, MeshctlError, UsageError } from '../errors.js';
import type { Report } from '../ui/output.js';
import { createContext, type Context, type Deps } from './context.js';
import { readTextFile, writeFileAtomic } from './files.js';

/** yaml, loaded only for the mesh commands (as a bundled CommonJS package its exports sit on default). */
async function loadYaml(): Promise<typeof import('yaml')> {
  const mod = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  return typeof mod.parse === 'function' ? mod : mod.default!;
}

/** Reads a mesh file: YAML or JSON (JSON is YAML), validated, errors naming the path in the file. */
export async function readMeshFile(path: string): Promise<MeshFile> {
  const text = await readTextFile(path, 'the mesh file');
  // yaml loads only for the mesh commands: it would cost every start.
  const { parse: parseYaml } = await loadYaml();
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new InputError(`${path}: not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return validateMeshFile(value, path);
}

type Listable = Exclude<AppMeshKind, 'mesh'>;

/**
 * What exists of the mesh (and the Cloud Map namespace), in the file's terms. A kind the API cannot
 * list (moto has no virtual services, gateways or gateway routes) is read as none, with a note.
 */
async function readActual(ctx: Context, meshName: string, namespaceName: string | undefined, notes: string[]): Promise<MeshObject[]> {
  const objects: MeshObject[] = [];
  if (namespaceName) {
    const sd = await ctx.aws.serviceDiscovery();
    const ns = await sd.findNamespace(namespaceName);
    if (ns) {
      objects.push({ kind: 'namespace', name: ns.name, decl: {} });
      for (const s of await sd.listServices(ns.id)) objects.push({ kind: 'cloudMapService', name: s.name, parent: ns.name, decl: {} });
    }
  }
  const res = await ctx.aws.meshResources();
  const mesh = await res.describe('mesh', meshName, meshName);
  if (!mesh) return objects;
  objects.push({ kind: 'mesh', name: meshName, decl: fromAwsSpec('mesh', mesh) });
  const listAll = async (kind: Listable, parent?: string): Promise<string[]> => {
    try {
      return await res.list(kind, meshName, parent);
    } catch (err) {
      if (err instanceof AwsCallError && err.errorName === 'NotImplemented') {
        notes.push(`could not list ${kind}s (${err.operation} is not available here): they were read as none`);
        return [];
      }
      throw err;
    }
  };
  const read = async (kind: Listable, parent?: string) => {
    for (const name of await listAll(kind, parent)) {
      const spec = await res.describe(kind, meshName, name, parent);
      if (spec) objects.push({ kind, name, ...(parent ? { parent } : {}), decl: fromAwsSpec(kind, spec) });
    }
  };
  await read('virtualNode');
  await read('virtualRouter');
  for (const r of objects.filter((o) => o.kind === 'virtualRouter')) await read('route', r.name);
  await read('virtualService');
  await read('virtualGateway');
  for (const g of objects.filter((o) => o.kind === 'virtualGateway')) await read('gatewayRoute', g.name);
  return objects;
}

interface ActionRecord extends MeshAction {
  status: 'planned' | 'done' | 'failed' | 'not done' | 'unchanged';
  error?: string;
}

async function execute(ctx: Context, file: Partial<MeshFile>, meshName: string, a: MeshAction, namespaceIds: Map<string, string>): Promise<void> {
  const sd = () => ctx.aws.serviceDiscovery();
  const namespaceId = async (name: string) => {
    if (!namespaceIds.has(name)) {
      const ns = await (await sd()).findNamespace(name);
      if (!ns) throw new InputError(`Cloud Map namespace "${name}" does not exist`);
      namespaceIds.set(name, ns.id);
    }
    return namespaceIds.get(name)!;
  };
  if (a.kind === 'namespace') {
    if (a.action === 'delete') return (await sd()).deleteNamespace(await namespaceId(a.name));
    if (a.action !== 'create') return;
    if (!file.namespace?.vpc) throw new InputError(`namespace.vpc is needed to create the Cloud Map namespace "${a.name}"`);
    namespaceIds.set(a.name, await (await sd()).createPrivateDnsNamespace(a.name, file.namespace.vpc));
    return;
  }
  if (a.kind === 'cloudMapService') {
    const api = await sd();
    const nsId = await namespaceId(a.parent!);
    if (a.action === 'create') await api.createService(a.name, nsId);
    if (a.action === 'delete') {
      const svc = (await api.listServices(nsId)).find((s) => s.name === a.name);
      if (svc) await api.deleteService(svc.id);
    }
    return;
  }
  const res = await ctx.aws.meshResources();
  const kind = a.kind as AppMeshKind;
  if (a.action === 'delete') return res.delete(kind, meshName, a.name, a.parent);
  const spec = toAwsSpec(kind, a.decl);
  if (a.action === 'create') return res.create(kind, meshName, a.name, spec, a.parent);
  if (a.action === 'update') return res.update(kind, meshName, a.name, spec, a.parent);
}

const label = (a: MeshObject) => `${a.kind} ${a.parent ? `${a.parent}/` : ''}${a.name}`;

function planReport(meshName: string, records: ActionRecord[], notes: string[], extra: Record<string, unknown> = {}): Report {
  const count = (action: string) => records.filter((r) => r.action === action).length;
  const summary = `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged`;
  const lines = records.flatMap((r) => [
    `${{ create: '+', update: '~', delete: '-', unchanged: '=' }[r.action]} ${label(r)}${r.status !== 'planned' && r.status !== 'unchanged' ? ` (${r.status}${r.error ? `: ${r.error}` : ''})` : ''}`,
    ...(r.action === 'update' ? formatChanges(r.changes).map((l) => `    ${l}`) : []),
  ]);
  return { data: { mesh: meshName, summary, actions: records.map(({ decl: _d, ...r }) => r), notes, ...extra }, lines: [...lines, ...notes.map((n) => `note: ${n}`), summary] };
}

async function planFor(ctx: Context, path: string, prune: boolean) {
  const file = await readMeshFile(path);
  const notes: string[] = [];
  const actual = await readActual(ctx, file.mesh.name, file.namespace?.name, notes);
  return { file, notes, actual, actions: planMesh(file, actual, { prune }) };
}

/** Runs the actions in order; stops at the first failure, saying what was done and what was not. */
async function applyActions(ctx: Context, file: Partial<MeshFile>, meshName: string, actions: MeshAction[]): Promise<{ records: ActionRecord[]; failure?: MeshctlError }> {
  const records: ActionRecord[] = actions.map((a) => ({ ...a, status: a.action === 'unchanged' ? 'unchanged' : 'not done' }));
  const namespaceIds = new Map<string, string>();
  for (const r of records) {
    if (r.action === 'unchanged') continue;
    try {
      ctx.checkpoint();
      await execute(ctx, file, meshName, r, namespaceIds);
      r.status = 'done';
      ctx.ui.step(label(r), 'ok', r.action);
    } catch (err) {
      if (!(err instanceof MeshctlError)) throw err;
      r.status = 'failed';
      r.error = err.message;
      ctx.ui.step(label(r), 'fail', err.message);
      return { records, failure: err };
    }
  }
  return { records };
}

function finish(deps: Deps, meshName: string, records: ActionRecord[], notes: string[], failure: MeshctlError | undefined, rerun: string): void {
  const report = planReport(meshName, records, notes, { ok: !failure });
  if (!failure) return deps.ui.result(report);
  const done = records.filter((r) => r.status === 'done').length;
  const left = records.filter((r) => r.status === 'not done' || r.status === 'failed').length;
  failure.message = `${failure.message}\n${done} done, ${left} not done; ${rerun} completes the rest`;
  failure.report = report;
  throw failure;
}

export function registerMesh(program: Command, deps: Deps): void {
  const mesh = program.command('mesh').description('declare the App Mesh side in one file: Cloud Map namespace and services, mesh, nodes, routers, routes, services, gateway');
  mesh
    .command('plan')
    .description('print what apply would create, update or leave alone, with field-level differences; writes nothing')
    .requiredOption('-f, --file <file>', 'the mesh file (YAML or JSON)')
    .option('--prune', 'also plan to delete what the file does not declare')
    .addHelpText('after', '\nExamples:\n  meshctl mesh plan -f examples/local-mesh.yaml\n  meshctl mesh plan -f mesh.json --json')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ file: string; prune?: boolean }>();
      const ctx = createContext(cmd, deps);
      const { file, notes, actions } = await planFor(ctx, flags.file, flags.prune === true);
      deps.ui.result(planReport(file.mesh.name, actions.map((a) => ({ ...a, status: a.action === 'unchanged' ? 'unchanged' : 'planned' })), notes));
    });
  mesh
    .command('apply')
    .description('create and update in dependency order; a second apply changes nothing')
    .requiredOption('-f, --file <file>', 'the mesh file (YAML or JSON)')
    .option('--prune', 'delete what the file does not declare (reverse order, after showing the plan)')
    .addHelpText('after', '\nExamples:\n  meshctl mesh apply -f examples/appmesh-workshop.yaml\n  meshctl mesh apply -f mesh.yaml --prune --json\n\nA failure part way stops, says what was done and what was not; running the same command again completes the rest.')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ file: string; prune?: boolean }>();
      const ctx = createContext(cmd, deps);
      const { file, notes, actions } = await planFor(ctx, flags.file, flags.prune === true);
      const deletes = actions.filter((a) => a.action === 'delete');
      if (deletes.length) deps.ui.info(`--prune will delete:\n${deletes.map((d) => `  - ${label(d)}`).join('\n')}`);
      const { records, failure } = await applyActions(ctx, file, file.mesh.name, actions);
      if (!failure && records.every((r) => r.action === 'unchanged')) notes.push('nothing to change: what exists matches the file');
      finish(deps, file.mesh.name, records, notes, failure, 'running the same command again');
    });
  mesh
    .command('export')
    .description('write the file that describes an existing mesh (export then plan shows no change)')
    .requiredOption('--mesh <name>', 'the mesh to export')
    .option('--namespace <name>', 'the Cloud Map namespace to include (default: the one its nodes use)')
    .option('-o, --output <file>', 'write to this file (atomic, mode 0600) instead of stdout')
    .option('--force', 'let --output replace an existing file')
    .addHelpText('after', '\nExamples:\n  meshctl mesh export --mesh appmesh-workshop\n  meshctl mesh export --mesh local-mesh -o local-mesh.yaml')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ mesh: string; namespace?: string; output?: string; force?: boolean; json?: boolean }>();
      const ctx = createContext(cmd, deps);
      const notes: string[] = [];
      let objects = await readActual(ctx, flags.mesh, undefined, notes);
      if (!objects.some((o) => o.kind === 'mesh')) throw new InputError(`--mesh: mesh "${flags.mesh}" does not exist`);
      const used = objects.map((o) => (o.kind === 'virtualNode' ? (o.decl as { serviceDiscovery: { cloudMap?: { namespace: string } } }).serviceDiscovery.cloudMap?.namespace : undefined)).find(Boolean);
      const namespace = flags.namespace ?? used;
      if (namespace) objects = [...(await readActual(ctx, flags.mesh, namespace, [])).filter((o) => o.kind === 'namespace' || o.kind === 'cloudMapService'), ...objects];
      const file = toMeshFile(objects);
      const { stringify: toYaml } = await loadYaml();
      for (const n of notes) deps.ui.warn(n);
      if (flags.output) {
        const text = flags.output.endsWith('.json') ? `${JSON.stringify(file, null, 2)}\n` : toYaml(file);
        await writeFileAtomic(flags.output, text, flags.force === true, '--output');
        deps.ui.result({ data: { mesh: flags.mesh, written: flags.output }, lines: [`wrote ${flags.output}`] });
      } else deps.ui.result({ data: file as Record<string, unknown>, lines: [toYaml(file).trimEnd()] });
    });
  mesh
    .command('delete')
    .description('delete what the file declares, in reverse dependency order')
    .requiredOption('-f, --file <file>', 'the mesh file (YAML or JSON)')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .addHelpText('after', '\nExamples:\n  meshctl mesh delete -f examples/local-mesh.yaml\n  meshctl mesh delete -f mesh.yaml --yes --json')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ file: string; yes?: boolean }>();
      const ctx = createContext(cmd, deps);
      const file = await readMeshFile(flags.file);
      const notes: string[] = [];
      const actual = await readActual(ctx, file.mesh.name, file.namespace?.name, notes);
      const exists = new Set(actual.map((o) => `${o.kind}/${o.parent ?? ''}/${o.name}`));
      const actions = deletionOrder(file, (o) => exists.has(`${o.kind}/${o.parent ?? ''}/${o.name}`));
      if (actions.length === 0) return deps.ui.result(planReport(file.mesh.name, [], [...notes, 'nothing to delete: none of it exists']));
      if (!flags.yes) {
        if (!deps.confirm) throw new UsageError('mesh delete asks for confirmation; pass --yes to delete without a terminal');
        const ok = await deps.confirm(`Delete ${actions.length} objects of mesh ${file.mesh.name}?\n${actions.map((a) => `  - ${label(a)}`).join('\n')}\nType yes to delete: `);
        if (!ok) throw new UsageError('not confirmed; nothing was deleted');
      }
      const { records, failure } = await applyActions(ctx, file, file.mesh.name, actions);
      finish(deps, file.mesh.name, records, notes, failure, 'running the same command again');
    });
}
