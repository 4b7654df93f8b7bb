import { planCluster } from '../../core/migrate/plan.js';
import { failingRows, type FailOn, type ParityRow } from '../../core/migrate/parity.js';
import type { ClusterPlan, Finding } from '../../core/migrate/types.js';
import type { Context } from '../../runtime/context.js';
import { gatherCluster, planSummary, selectPlan } from '../../steps/migrate-cluster.js';
import { resolveServiceTarget, servicesMissing } from '../../steps/service.js';
import type { Report } from '../../ui/output.js';
import { textTable } from '../../ui/table.js';
import type { MigrateFlags, MigrateOptions } from './flags.js';

const mark = { error: '✖', warn: '!', info: '·' };
const findingLine = (f: Finding) => `${mark[f.level]} ${f.service ? `${f.service}: ` : ''}${f.message}`;

/** Each migrating service's parity table: a line per App Mesh setting, what Service Connect does instead, and why. */
export function parityLines(plan: ClusterPlan): string[] {
  const out: string[] = [];
  for (const p of plan.services.filter((s) => s.parity?.length)) {
    const rows = p.parity!;
    const width = Math.max(...rows.map((r) => r.feature.length));
    out.push(
      `parity of ${p.service} (carried ${count(rows, 'carried')}, approximated ${count(rows, 'approximated')}, lost ${count(rows, 'lost')}):`,
    );
    for (const r of rows) {
      out.push(`  ${r.level.padEnd(12)}  ${r.feature.padEnd(width)}  ${r.appMesh} → ${r.serviceConnect}`);
      out.push(`  ${''.padEnd(12)}  ${''.padEnd(width)}  ${r.why}${r.keep ? `; to keep it: ${r.keep}` : ''}`);
    }
  }
  return out;
}

const count = (rows: readonly ParityRow[], level: ParityRow['level']) => rows.filter((r) => r.level === level).length;

/** `service: feature (level)` for each parity row --fail-on fails. */
export function parityFailures(plan: ClusterPlan, failOn: FailOn): string[] {
  return plan.services.flatMap((p) => failingRows(p.parity ?? [], failOn).map((r) => `${p.service}: ${r.feature} (${r.level})`));
}

/** One table (wave, service, namespace, alias, backends, findings) and the findings under it. */
export function planReport(cluster: string, plan: ClusterPlan, notes: string[], extra: Record<string, unknown> = {}): Report {
  const rows = plan.waves.flatMap((w) =>
    w.services.map((name) => {
      const p = plan.services.find((s) => s.service === name)!;
      const alias =
        p.listeners.map((l) => `${l.alias.dnsName}:${l.alias.port}`).join(' ') || (p.kind === 'client-only' ? '(client only)' : '-');
      const backends = p.backends.map((b) => b.servedBy ?? `${b.name}?`).join(',') || '-';
      const findings = p.findings.filter((f) => f.level !== 'info').length;
      return [String(w.wave), name, p.namespace ?? '-', alias, backends, findings ? `${findings}` : '-'];
    }),
  );
  const header = ['wave', 'service', 'namespace', 'alias', 'backends', 'findings'];
  const untouched = plan.services.filter((s) => s.status !== 'migrate').map((s) => `${s.service} (${s.status})`);
  const findings = [...plan.findings, ...plan.services.flatMap((s) => s.findings)];
  const cycles = plan.waves
    .filter((w) => w.cycle)
    .map((w) => `wave ${w.wave} is a cycle: ${w.cycle!.join(', ')} call each other and roll together`);
  return {
    data: {
      ok: plan.ok,
      cluster,
      notes,
      waves: plan.waves.map((w) => ({ wave: w.wave, services: w.services, cycle: w.cycle ?? null })),
      services: plan.services.map(planSummary),
      findings: plan.findings,
      ...extra,
    },
    lines: [
      ...notes.map((n) => `note: ${n}`),
      ...(rows.length ? textTable(header, rows) : ['nothing to migrate: no service of the selection runs envoy']),
      ...cycles,
      ...(untouched.length ? [`left as they are: ${untouched.join(', ')}`] : []),
      ...parityLines(plan),
      ...findings.map(findingLine),
    ],
  };
}

/** The cluster read as it is, planned, and cut to the selection; with the report that shows it. */
export async function readAndPlan(ctx: Context, flags: MigrateFlags, opts: MigrateOptions) {
  const { cluster } = await resolveServiceTarget(ctx, { cluster: flags.cluster });
  const gathered = await gatherCluster(ctx, { cluster, sources: opts.sources, overrides: opts.overrides, concurrency: opts.concurrency });
  // A service named that the cluster does not have is no empty plan: exit 3, naming it.
  const missing = (opts.selection ?? []).filter((name) => !gathered.services.some((s) => s.serviceName === name));
  if (missing.length) throw servicesMissing(cluster, missing, flags.service === undefined);
  const full = planCluster(gathered.input);
  const plan = selectPlan(full, opts.selection);
  const current = new Map(gathered.services.map((s) => [s.serviceName!, s.taskDefinition!]));
  return { ctx, cluster, full, plan, current, report: planReport(cluster, plan, gathered.notes) };
}
