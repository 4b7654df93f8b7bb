// ---- rule 8: waves -----------------------------------------------------------------------------

import { byName, Draft, ClusterPlan, Finding, serversOf } from './types.js';

/** Strongly connected components (Tarjan), each sorted; a component is emitted after those it depends on. */
function components(nodes: string[], edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      scc.push(w);
    } while (w !== v);
    out.push(scc.sort(byName));
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

/** Kahn's levels over the components: level 1 depends on nothing unmigrated, level n on levels below it. */
function levels(sccs: string[][], edges: Map<string, string[]>): string[][][] {
  const of = new Map(sccs.flatMap((scc, i) => scc.map((s) => [s, i] as const)));
  const deps = sccs.map(
    (scc, i) =>
      new Set(
        scc
          .flatMap((s) => edges.get(s) ?? [])
          .map((w) => of.get(w)!)
          .filter((j) => j !== i),
      ),
  );
  const done = new Set<number>();
  const out: string[][][] = [];
  while (done.size < sccs.length) {
    const ready = sccs.map((_, i) => i).filter((i) => !done.has(i) && [...deps[i]!].every((j) => done.has(j)));
    if (ready.length === 0) break; // cannot happen: components form a DAG
    ready.forEach((i) => done.add(i));
    out.push(ready.map((i) => sccs[i]!));
  }
  return out;
}

export function planWaves(drafts: Draft[]): { waves: ClusterPlan['waves']; findings: Finding[] } {
  const migrating = drafts.filter((d) => d.status === 'migrate');
  const names = new Set(migrating.map((d) => d.facts.service));
  // A self-loop is no reason to wait, so it is no edge.
  const waitsFor = (d: Draft) =>
    serversOf(d.backends)
      .filter((s) => names.has(s) && s !== d.facts.service)
      .sort(byName);
  const edges = new Map(migrating.map((d) => [d.facts.service, waitsFor(d)]));
  const waves: ClusterPlan['waves'] = [];
  const findings: Finding[] = [];
  for (const level of levels(components([...names].sort(byName), edges), edges)) {
    const singles = level
      .filter((scc) => scc.length === 1)
      .flat()
      .sort(byName);
    if (singles.length > 0) waves.push({ wave: waves.length + 1, services: singles });
    for (const cycle of level.filter((scc) => scc.length > 1).sort((a, b) => byName(a[0]!, b[0]!))) {
      waves.push({ wave: waves.length + 1, services: cycle, cycle });
      findings.push({ level: 'warn', message: cycleMessage(cycle, waves.length) });
    }
  }
  return { waves, findings };
}

function cycleMessage(cycle: string[], wave: number): string {
  return (
    `${cycle.join(', ')} call each other, so they roll together in wave ${wave}: during the roll they call each other across the ` +
    "App Mesh / Service Connect boundary, and the ones migrated first cannot be called by the others' old tasks " +
    'until those are redeployed too'
  );
}

/**
 * What each migrating service of the plan waits for before it starts, in wave order. `wave`: every service of
 * the waves before its own (a wave starts when the one before has run). `servers`: only the services of earlier
 * waves it calls (its backends' services and those behind them), so a client starts as soon as its own servers'
 * new tasks run, not when the rest of their wave does: the shorter the time a Cloud Map server's envoy clients
 * call its frozen endpoints (rule 11).
 */
export function startAfter(plan: ClusterPlan, mode: 'wave' | 'servers'): { service: string; wave: number; after: string[] }[] {
  const migrating = new Map(plan.services.filter((s) => s.status === 'migrate').map((s) => [s.service, s]));
  const order = plan.waves.flatMap((w) => w.services.filter((s) => migrating.has(s)).map((service) => ({ service, wave: w.wave })));
  const waveOf = new Map(order.map((o) => [o.service, o.wave]));
  return order.map(({ service, wave }) => {
    const earlier = (s: string) => (waveOf.get(s) ?? Infinity) < wave;
    const after =
      mode === 'wave'
        ? order.filter((o) => o.wave < wave).map((o) => o.service)
        : serversOf(migrating.get(service)!.backends).filter(earlier).sort(byName);
    return { service, wave, after };
  });
}
