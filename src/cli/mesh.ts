import type { Command } from 'commander';
import { formatChanges } from '../core/json-diff.js';
import { deletionOrder, refuseUnexpressibleLosses, objectsToMeshFile } from '../core/mesh/plan.js';
import { AwsCallError, CommandFailedError, InputError, UsageError, type MeshctlError } from '../errors.js';
import type { Deps } from '../runtime/context.js';
import { refuseExisting, writeFileAtomic } from '../runtime/files.js';
import { applyActions, label, loadYaml, planFor, readActual, readMeshFile, type ActionRecord } from '../steps/mesh.js';
import { readMeshSources } from '../steps/migrate-cluster.js';
import { descriptionToMeshFile } from '../core/mesh/sources/to-mesh-file.js';
import type { Report } from '../ui/output.js';
import { checkAll, contextOf, deferredProblems, namespaceFlag } from './options/common.js';
import { meshNameFlag } from './options/envoy.js';
import { addSourceFlags, toSourceOptions, type SourceFlags } from './options/source.js';
import type { Context } from '../runtime/context.js';

function planReport(meshName: string, records: ActionRecord[], notes: string[], extra: Record<string, unknown> = {}): Report {
  const count = (action: string) => records.filter((r) => r.action === action).length;
  const summary = `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged`;
  const lines = records.flatMap((r) => [
    `${{ create: '+', update: '~', delete: '-', unchanged: '=' }[r.action]} ${label(r)}${r.status !== 'planned' && r.status !== 'unchanged' ? ` (${r.status}${r.error ? `: ${r.error}` : ''})` : ''}`,
    ...(r.action === 'update' ? formatChanges(r.changes).map((l) => `    ${l}`) : []),
  ]);
  return {
    data: {
      ok: true,
      mesh: meshName,
      summary,
      actions: records.map(({ decl: _d, ...r }) => ({ ...r, parent: r.parent ?? null })),
      notes,
      ...extra,
    },
    lines: [...lines, ...notes.map((n) => `note: ${n}`), summary],
  };
}

function finish(
  deps: Deps,
  meshName: string,
  records: ActionRecord[],
  notes: string[],
  failure: MeshctlError | undefined,
  rerun: string,
): void {
  const report = planReport(meshName, records, notes, { ok: !failure });
  if (!failure) return deps.ui.result(report);
  const done = records.filter((r) => r.status === 'done').length;
  const left = records.filter((r) => r.status === 'not done' || r.status === 'failed').length;
  throw new CommandFailedError(
    failure,
    report,
    undefined,
    `${failure.message}\n${done} done, ${left} not done; ${rerun} completes the rest`,
  );
}

/** How many of an import's warnings are printed one by one. */
const SHOWN_WARNINGS = 100;

/**
 * Nothing is left out in silence: what could not be resolved or written (each named above with its path and
 * what to pass) fails the import, unless --allow-partial says to write the rest. A resource whose Condition is
 * false is not among them: CloudFormation does not create it either.
 */
function refuseLosses(unresolved: readonly string[], leftOut: readonly string[], allowPartial: boolean): void {
  const lost = [...unresolved, ...leftOut];
  if (lost.length === 0 || allowPartial) return;
  throw new InputError(
    `${lost.length} thing(s) could not be imported (named above); pass the values they name, or --allow-partial to write the file without them`,
  );
}

export function registerMesh(program: Command, deps: Deps): void {
  const mesh = program
    .command('mesh')
    .description(
      'declare the App Mesh side in one file: Cloud Map namespace and services, mesh, nodes, routers, routes, services, gateway',
    );
  mesh
    .command('plan')
    .description('print what apply would create, update or leave alone, with field-level differences; writes nothing')
    .requiredOption('-f, --file <file>', 'the mesh file (YAML or JSON)')
    .option('--prune', 'also plan to delete what the file does not declare')
    .addHelpText('after', '\nExamples:\n  meshctl mesh plan -f examples/local-mesh.yaml\n  meshctl mesh plan -f mesh.json --json')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ file: string; prune?: boolean }>();
      const ctx = contextOf(cmd, deps);
      const { file, notes, actions } = await planFor(ctx, flags.file, flags.prune === true);
      deps.ui.result(
        planReport(
          file.mesh.name,
          actions.map((a) => ({ ...a, status: a.action === 'unchanged' ? 'unchanged' : 'planned' })),
          notes,
        ),
      );
    });
  mesh
    .command('apply')
    .description('create and update in dependency order; a second apply changes nothing')
    .requiredOption('-f, --file <file>', 'the mesh file (YAML or JSON)')
    .option('--prune', 'delete what the file does not declare (reverse order, after showing the plan)')
    .addHelpText(
      'after',
      `
Examples:
  meshctl mesh apply -f examples/appmesh-workshop.yaml
  meshctl mesh apply -f mesh.yaml --prune --json

A failure part way stops, says what was done and what was not; running the same command again completes the rest.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ file: string; prune?: boolean }>();
      const ctx = contextOf(cmd, deps);
      const { file, notes, actions } = await planFor(ctx, flags.file, flags.prune === true);
      refuseUnexpressibleLosses(actions);
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
    .addHelpText(
      'after',
      '\nExamples:\n  meshctl mesh export --mesh appmesh-workshop\n  meshctl mesh export --mesh local-mesh -o local-mesh.yaml',
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ mesh: string; namespace?: string; output?: string; force?: boolean; json?: boolean }>();
      const [, , ctx] = checkAll(
        () => meshNameFlag(flags.mesh, '--mesh'),
        () => flags.output !== undefined && refuseExisting(flags.output, flags.force === true, '--output'),
        () => contextOf(cmd, deps),
        () => namespaceFlag(flags.namespace),
      );
      const notes: string[] = [];
      let objects = await readActual(ctx, flags.mesh, undefined, notes);
      // A mesh the user named that App Mesh does not have: exit 3, as for any named thing AWS does not have.
      if (!objects.some((o) => o.kind === 'mesh'))
        throw new AwsCallError(
          'DescribeMesh',
          'NotFoundException',
          404,
          `--mesh: mesh "${flags.mesh}" does not exist; check --mesh and the region`,
          'check --mesh and the region',
        );
      const used = objects
        .map((o) =>
          o.kind === 'virtualNode'
            ? (o.decl as { serviceDiscovery: { cloudMap?: { namespace: string } } }).serviceDiscovery.cloudMap?.namespace
            : undefined,
        )
        .find(Boolean);
      const namespace = flags.namespace ?? used;
      if (namespace)
        objects = [
          ...(await readActual(ctx, flags.mesh, namespace, [])).filter((o) => o.kind === 'namespace' || o.kind === 'cloudMapService'),
          ...objects,
        ];
      const file = objectsToMeshFile(objects);
      const { stringify: toYaml } = await loadYaml();
      for (const n of notes) deps.ui.warn(n);
      if (flags.output) {
        const text = flags.output.endsWith('.json') ? `${JSON.stringify(file, null, 2)}\n` : toYaml(file);
        await writeFileAtomic(flags.output, text, flags.force === true, '--output');
        deps.ui.result({ data: { mesh: flags.mesh, written: flags.output }, lines: [`wrote ${flags.output}`] });
      } else deps.ui.result({ data: file as Record<string, unknown>, lines: [toYaml(file).trimEnd()] });
    });
  addSourceFlags(mesh.command('import'))
    .description(
      'write the mesh file for a mesh you kept as a CloudFormation template or stack, or Terraform state (App Mesh need not answer)',
    )
    .option('--from-cloudformation <template>', 'a CloudFormation template (JSON or YAML) with AWS::AppMesh::* resources')
    .option('--allow-partial', 'write the file without what could not be imported (each is still named on stderr)')
    .option('--from-terraform <state>', 'the JSON of terraform show -json, with aws_appmesh_* resources')
    .option('--mesh <name>', 'the mesh to import, when the source holds several')
    .option('-o, --output <file>', 'write to this file (atomic, mode 0600) instead of stdout')
    .option('--force', 'let --output replace an existing file')
    .addHelpText(
      'after',
      `
Examples:
  meshctl mesh import --from-cloudformation mesh-stack.yaml -o mesh.yaml
  meshctl mesh import --from-terraform state.json --mesh local-mesh --json

Every route kind, listener and policy App Mesh held is kept; what the file cannot hold (a node without
listener, say) is a note on stderr.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<
        {
          fromCloudformation?: string;
          fromTerraform?: string;
          mesh?: string;
          output?: string;
          force?: boolean;
          allowPartial?: boolean;
        } & SourceFlags
      >();
      const [, cfn] = checkAll(
        () => {
          const given = [flags.fromCloudformation, flags.fromTerraform, flags.fromStack?.length ? 'stack' : undefined];
          if (given.filter((g) => g !== undefined).length !== 1)
            throw new UsageError('mesh import reads one source: pass --from-cloudformation, --from-stack or --from-terraform');
        },
        () => toSourceOptions(flags),
        () => flags.mesh !== undefined && meshNameFlag(flags.mesh, '--mesh'),
        () => flags.output !== undefined && refuseExisting(flags.output, flags.force === true, '--output'),
        () => deferredProblems(cmd),
      );
      let ctx: Context | undefined;
      const sources = { cloudFormation: flags.fromCloudformation, terraform: flags.fromTerraform, cfn };
      const meshes = await readMeshSources(sources, () => (ctx ??= contextOf(cmd, deps)));
      const source = flags.fromCloudformation ?? flags.fromTerraform ?? `stack ${flags.fromStack!.join(', ')}`;
      const names = meshes.map((m) => m.mesh);
      const chosen = flags.mesh ? meshes.filter((m) => m.mesh === flags.mesh) : meshes;
      if (chosen.length !== 1) {
        throw new InputError(
          chosen.length === 0 && !flags.mesh
            ? `${source}: no App Mesh resources found`
            : chosen.length === 0
              ? `${source}: no mesh "${flags.mesh}" (found: ${names.join(', ') || 'none'})`
              : `${source}: holds ${names.length} meshes (${names.join(', ')}); pass --mesh`,
        );
      }
      const { file, notes, lost } = descriptionToMeshFile(chosen[0]!);
      // A huge state may hold thousands: the first hundred are shown, and how many more there are.
      const warnings = [...chosen[0]!.unresolved, ...notes];
      for (const n of warnings.slice(0, SHOWN_WARNINGS)) deps.ui.warn(n);
      if (warnings.length > SHOWN_WARNINGS) deps.ui.warn(`… and ${warnings.length - SHOWN_WARNINGS} more like these`);
      refuseLosses(chosen[0]!.unresolved, lost, flags.allowPartial === true);
      const { stringify: toYaml } = await loadYaml();
      if (flags.output) {
        const text = flags.output.endsWith('.json') ? `${JSON.stringify(file, null, 2)}\n` : toYaml(file);
        await writeFileAtomic(flags.output, text, flags.force === true, '--output');
        deps.ui.result({ data: { mesh: file.mesh.name, written: flags.output, notes }, lines: [`wrote ${flags.output}`] });
      } else deps.ui.result({ data: file as unknown as Record<string, unknown>, lines: [toYaml(file).trimEnd()] });
    });
  mesh
    .command('delete')
    .description('delete what the file declares, in reverse dependency order')
    .requiredOption('-f, --file <file>', 'the mesh file (YAML or JSON)')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .addHelpText('after', '\nExamples:\n  meshctl mesh delete -f examples/local-mesh.yaml\n  meshctl mesh delete -f mesh.yaml --yes --json')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ file: string; yes?: boolean }>();
      // Before any AWS call: a script without --yes learns it at once.
      const [, ctx] = checkAll(
        () => {
          if (!flags.yes && !deps.confirm)
            throw new UsageError('mesh delete asks for confirmation; pass --yes to delete without a terminal');
        },
        () => contextOf(cmd, deps),
      );
      const file = await readMeshFile(flags.file);
      const notes: string[] = [];
      const actual = await readActual(ctx, file.mesh.name, file.namespace?.name, notes);
      const exists = new Set(actual.map((o) => `${o.kind}/${o.parent ?? ''}/${o.name}`));
      const actions = deletionOrder(file, (o) => exists.has(`${o.kind}/${o.parent ?? ''}/${o.name}`));
      if (actions.length === 0) return deps.ui.result(planReport(file.mesh.name, [], [...notes, 'nothing to delete: none of it exists']));
      if (!flags.yes) {
        if (!deps.confirm) throw new UsageError('mesh delete asks for confirmation; pass --yes to delete without a terminal');
        const ok = await deps.confirm(
          `Delete ${actions.length} objects of mesh ${file.mesh.name}?\n${actions.map((a) => `  - ${label(a)}`).join('\n')}\nType yes to delete: `,
        );
        if (!ok) throw new UsageError('not confirmed; nothing was deleted');
      }
      const { records, failure } = await applyActions(ctx, file, file.mesh.name, actions);
      finish(deps, file.mesh.name, records, notes, failure, 'running the same command again');
    });
}
