import { describe, expect, it } from 'vitest';
import { seedClusterWorld } from '../support/cluster-world.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';

// migrate verify after a migrate apply against moto, with the ECS scheduler stand-in. moto answers
// ListServiceDeployments with HTTP 500, never echoes serviceConnectConfiguration and keeps its one
// deployment IN_PROGRESS (docs/emulators.md): so verify falls back to deployments[] and says so, counts
// the tasks the stand-in started, and finds each service not healthy (exit 1), naming why. The healthy
// path and the service deployment APIs' real answers run against mocked AWS (test/aws/migrate-verify.test.ts).

const env = useMotoWorkshop();
const SERVICES = ['crystal-service-lb', 'inventory', 'payments', 'products'];
const named = SERVICES.flatMap((s) => ['--service', s]);

interface Verified {
  ok: boolean;
  services: {
    service: string;
    ok: boolean;
    taskDefinition: string;
    problems: string[];
    deployment: { source: string; fallback: string | null } | null;
    tasks: { desired: number; running: number; otherRevisions: number };
    serviceConnect: unknown;
    traffic: { status: string; detail: string };
  }[];
}

describe('migrate verify after migrate apply, against moto', () => {
  it('reports each service: the deployment from deployments[] (ListServiceDeployments answered 500, said), its tasks, and why it is not healthy', async () => {
    await env.seeded('cluster', seedClusterWorld);
    const before = await env.cli(['migrate', 'verify', '--service', 'payments', '--json']);
    expect(before.code, before.stderr).toBe(1);
    expect((JSON.parse(before.stdout) as Verified).services[0]!.problems[0]).toMatch(/a revision with envoy: not migrated/);

    const applied = await env.withScheduler(() =>
      env.cli(['migrate', 'apply', '--all-services', '--create-namespace', '--interval', '1s', '--timeout', '30s', '--json']),
    );
    expect(applied.code, applied.stderr).toBe(0);
    // payments' node is discovered through Cloud Map and products' envoy calls it: its endpoints were frozen
    // from payments' new tasks until products' ran (rule 11); the plan said so, and apply measured the window.
    const done = expectJsonMatchesSchema(['migrate', 'apply', '--json'], applied.stdout) as {
      services: { service: string; findings: { level: string; message: string }[] }[];
      frozenWindows: { server: string; clients: string[]; seconds: number | null; open: string[] }[];
    };
    const payments = done.services.find((s) => s.service === 'payments')!;
    expect(payments.findings).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^frozen endpoints: /) }),
    );
    expect(done.frozenWindows).toEqual([expect.objectContaining({ server: 'payments', clients: ['products'], open: [] })]);
    expect(done.frozenWindows[0]!.seconds).toEqual(expect.any(Number));
    const r = await env.cli(['migrate', 'verify', ...named, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = expectJsonMatchesSchema(['migrate', 'verify', '--json'], r.stdout) as unknown as Verified;
    expect(out.ok).toBe(false);
    expect(out.services.map((s) => s.service)).toEqual(SERVICES);
    for (const s of out.services) {
      expect(s.taskDefinition).toBe(await env.serviceRevision(s.service));
      expect(s.deployment?.source).toBe('deployments');
      expect(s.deployment?.fallback).toMatch(/^ListServiceDeployments answered \w+ \(HTTP 500\)$/);
      expect(s.tasks.running).toBe(s.tasks.desired);
      expect(s.tasks.running).toBeGreaterThan(0);
      expect(s.tasks.otherRevisions).toBe(0);
      expect(s.serviceConnect).toBeNull();
      expect(s.traffic.status).toBe('not-run');
      expect(s.problems).toContain('ECS reports no Service Connect configuration in its PRIMARY deployment');
      expect(s.problems.join('\n')).not.toMatch(/envoy/);
    }
    expect(r.stderr).toMatch(/4 of 4 services not healthy: crystal-service-lb, inventory, payments, products/);

    const text = await env.cli(['migrate', 'verify', '--service', 'payments']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^service +deployment +tasks +service connect +traffic +verdict$/m);
    expect(text.stdout).toMatch(/^payments +IN_PROGRESS .*\(deployments\[\]\) +1\/1 running +\(not reported\) +– not run +NOT HEALTHY$/m);
    expect(text.stdout).toMatch(
      /^note: ListServiceDeployments answered \w+ \(HTTP 500\); the service's deployments\[\] \(DescribeServices\) are shown instead$/m,
    );
  });

  it('--all-services finds no service on Service Connect in moto (it never echoes the configuration): exit 1, saying so', async () => {
    const r = await env.cli(['migrate', 'verify', '--all-services', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = expectJsonMatchesSchema(['migrate', 'verify', '--json'], r.stdout);
    expect(out.services).toEqual([]);
    expect(r.stderr).toMatch(/no migrated service to verify in cluster/);
  });

  it('a service the cluster does not have is exit 3, and bad flags exit 2 before any request', async () => {
    const missing = await env.cli(['migrate', 'verify', '--service', 'nope']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/service "nope" in cluster .* is MISSING/);
    const bad = await env.cli(['migrate', 'verify', '--window', '10s', '--max-5xx-ratio', '7', '--all-services', '--service', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--window/);
    expect(bad.stderr).toMatch(/--max-5xx-ratio/);
    expect(bad.stderr).toMatch(/--all-services and --service/);
  });
});
