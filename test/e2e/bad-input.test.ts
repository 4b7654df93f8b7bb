import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { motoEnv, runCli } from '../support/cli.js';
import { freePort } from '../support/moto.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';

const env = useMotoWorkshop();

const { cli } = env;
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('bad input ends with a clear message and the right exit code', () => {
  it('a missing --cfn-output file: exit 2, naming the file', async () => {
    const r = await cli(['update-service', '--cfn-output', 'nope.json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error: nope\.json: no such file \(the --cfn-output file\)/);
    noStack(r.stderr);
  });

  it('no cfn-output.json in the folder and no flag: exit 2, naming the flag', async () => {
    const r = await runCli(['wait-running'], { cwd: '/', env: motoEnv(env.moto.url) });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/\.\/cfn-output\.json: no such file, and --cluster was not given/);
  });

  it('invalid JSON: exit 2, naming the file', async () => {
    writeFileSync(env.ws.cfnOutputPath, '{"EcsClusterName": "appmesh-workshop",');
    const r = await cli(['update-service']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error: \.\/cfn-output\.json: not valid JSON/);
    noStack(r.stderr);
  });

  it('a missing key: exit 2, naming key, file and flag', async () => {
    writeFileSync(env.ws.cfnOutputPath, JSON.stringify({ CrystalTaskDefinition: env.ws.taskDefinitionArn }));
    const r = await cli(['update-service']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error: \.\/cfn-output\.json: key "EcsClusterName" is missing; pass --cluster or regenerate the file/);
  });

  it('the flags stand in for a missing file', async () => {
    const r = await runCli(
      ['update-service', '--cluster', 'appmesh-workshop', '--task-definition', 'appmesh-workshop-crystal-lb-vanilla'],
      {
        cwd: '/',
        env: motoEnv(env.moto.url),
      },
    );
    expect(r.code, r.stderr).toBe(0);
  });

  it('an unknown service: exit 3, naming the service and the flags to check', async () => {
    const r = await cli(['wait-running', '--service', 'nope']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/service "nope" in cluster "appmesh-workshop" is MISSING; check --service and --cluster/);
    noStack(r.stderr);
  });

  it('an unknown cluster: exit 3 with the AWS error name', async () => {
    // update-service reads the service first, for its own task definition family.
    const r = await cli(['update-service', '--cluster', 'nope']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/DescribeServices failed: ClusterNotFoundException/);
  });

  // The whole flag table runs in-process in test/unit/flags.test.ts; these few go through the real binary.
  it.each([
    [['wait-running', '--timeout', 'soon'], /--timeout: "soon" is not a duration/],
    [['verify', '--host', 'a;rm -rf /'], /--host: "a;rm -rf \/" is not a DNS name/],
    [['add-envoy', '--bogus'], /unknown option '--bogus'/],
  ])('%j: exit 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
  });
});

describe('global flags', () => {
  it('are accepted before or after the subcommand', async () => {
    const before = await cli(['--json', '--cfn-output', env.ws.cfnOutputPath, 'add-envoy', '--dry-run']);
    const after = await cli(['add-envoy', '--dry-run', '--json', '--cfn-output', env.ws.cfnOutputPath]);
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual(JSON.parse(after.stdout));
  });

  it('--endpoint-url wins over AWS_ENDPOINT_URL, and --region works with no AWS_REGION', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(['update-service', '--endpoint-url', env.moto.url, '--region', 'us-west-2'], {
      cwd: env.ws.dir,
      env: { AWS_ENDPOINT_URL: dead },
    });
    expect(r.code, r.stderr).toBe(0);
    const viaEnv = await runCli(['update-service', '--region', 'us-west-2'], { cwd: env.ws.dir, env: { AWS_ENDPOINT_URL: dead } });
    expect(viaEnv.code).toBe(3);
    expect(viaEnv.stderr).toMatch(/could not reach AWS at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('no region anywhere: exit 2 saying how to set one', async () => {
    const r = await runCli(['update-service'], { cwd: env.ws.dir, env: { AWS_ENDPOINT_URL: env.moto.url } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no AWS region: pass --region or set AWS_REGION/);
  });

  it('--json puts exactly one JSON object on stdout, even on failure', async () => {
    const r = await cli(['wait-running', '--json', '--count', '5', '--timeout', '1s']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, running: 3, wanted: 5 });
  });

  it('--verbose prints each AWS call with its duration and never the credentials', async () => {
    const r = await cli(['update-service', '--verbose'], {
      AWS_SECRET_ACCESS_KEY: 'SECRETVALUE1234',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE12',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/aws ecs\.DescribeTaskDefinition \d+ms/);
    expect(r.stderr).toMatch(/aws ecs\.UpdateService \d+ms/);
    expect(r.stderr + r.stdout).not.toMatch(/SECRETVALUE1234|AKIAEXAMPLEEXAMPLE12/);
  });

  it('--help and --version exit 0; no command exits 2', async () => {
    expect((await cli(['--help'])).code).toBe(0);
    expect((await cli(['rollout', '--help'])).stdout).toMatch(/--from <step>/);
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await cli([])).code).toBe(2);
  });
});
