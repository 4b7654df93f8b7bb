import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/moto.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { CLUSTER, SERVICE } from '../support/workshop.js';

// meshctl.yaml in the workshop's folder, against moto: its names and timeout are used, a flag beats
// each, cfn-output.json comes last, and a bad key is exit 2 before any AWS call.

const env = useMotoWorkshop();
const { cli } = env;

/** meshctl.yaml (or another name) in the folder meshctl runs in. */
const write = (text: string, name = 'meshctl.yaml') => writeFileSync(join(env.ws.dir, name), text);

/** cfn-output.json naming a cluster that does not exist: a command that reads it fails, one that reads meshctl.yaml does not. */
const cfnPointsElsewhere = () => writeFileSync(env.ws.cfnOutputPath, JSON.stringify({ EcsClusterName: 'not-this-cluster' }));

// --count 99: more tasks than the service has, so the wait runs until its timeout and says how long that was.
const FILE = `cluster: ${CLUSTER}\nservices: [${SERVICE}]\ntimeouts:\n  wait: 3s\ninterval: 1s\n`;

describe('meshctl.yaml in the current folder', () => {
  it("gives wait-running its cluster, service and timeout, over cfn-output.json and commander's 10m", async () => {
    cfnPointsElsewhere();
    write(FILE);
    const r = await cli(['wait-running', '--count', '99', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.error.kind).toBe('timeout');
    expect(out.error.message).toMatch(/^timed out after 3s with \d+\/99 RUNNING of arn:aws:ecs:/);
  });

  it('a flag beats the file: --timeout, then --cluster', async () => {
    write(FILE);
    const timeout = await cli(['wait-running', '--count', '99', '--timeout', '2s', '--verbose']);
    expect(timeout.code, timeout.stderr).toBe(1);
    expect(timeout.stderr).toMatch(/timed out after 2s/);
    expect(timeout.stderr).toContain('meshctl.yaml: used cluster, services, interval; given as flags instead: timeouts.wait');
    // The file's cluster exists; the flag's does not.
    const cluster = await cli(['wait-running', '--cluster', 'flag-cluster']);
    expect(cluster.code, cluster.stderr).toBe(3);
    expect(cluster.stderr).toMatch(/DescribeServices failed: ClusterNotFoundException/);
  });

  it('meshctl.yml counts too; --config names another file; --no-config reads none', async () => {
    cfnPointsElsewhere();
    write(FILE, 'meshctl.yml');
    expect((await cli(['wait-running', '--count', '99'])).stderr).toMatch(/timed out after 3s/);
    write(FILE.replace('3s', '2s'), 'team.yaml');
    expect((await cli(['--config', 'team.yaml', 'wait-running', '--count', '99'])).stderr).toMatch(/timed out after 2s/);
    const none = await cli(['wait-running', '--no-config', '--count', '99', '--timeout', '1s']);
    // cfn-output.json's cluster, which does not exist.
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/DescribeServices failed: ClusterNotFoundException/);
  });

  it('an unknown key is exit 2 naming it and the file, with what it probably meant, and no AWS call', async () => {
    write(`cluster: ${CLUSTER}\ntimeout: 3s\n`);
    // Nothing answers here: a call to AWS would be exit 3, not 2.
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = await cli(['wait-running', '--json'], { AWS_ENDPOINT_URL: dead });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('error: meshctl.yaml: unknown key "timeout" (did you mean "timeouts"?); known keys: cluster, services,');
    expect(JSON.parse(r.stdout).error).toMatchObject({ exitCode: 2, kind: 'usage', operation: null });
    expect(r.stderr).not.toMatch(/ECONNREFUSED|could not reach/);
  });

  it('a bad value is exit 2 naming its key; an explicit --config that is missing is exit 2', async () => {
    write(`timeouts:\n  wait: 5x\nservices: [a b]\n`);
    const r = await cli(['rollout']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('meshctl.yaml: timeouts.wait: "5x" is not a duration');
    expect(r.stderr).toContain('meshctl.yaml: services[0]: "a b" is not a valid name');
    const missing = await cli(['--config', 'nope.yaml', 'doctor']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: nope.yaml: no such file (the --config file)');
  });
});
