import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/moto.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';

// The AWS configuration chain end to end: the built CLI against moto, configured only through
// shared config files (private, in a temp folder, never ~/.aws) and AWS_* variables.
const env = useMotoWorkshop();

let dir: string;
let dead: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-aws-config-'));
  // A closed loopback port: a call sent there fails with ECONNREFUSED, so a success proves it went elsewhere.
  dead = `http://127.0.0.1:${await freePort()}`;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the config and credentials files (mode 0600) and returns the variables that name them. */
function profiles(config: string): Record<string, string | undefined> {
  const name = `${Math.random().toString(36).slice(2)}`;
  const configFile = join(dir, `config-${name}`);
  const credentialsFile = join(dir, `credentials-${name}`);
  writeFileSync(configFile, config, { mode: 0o600 });
  const keys = 'aws_access_key_id = testing\naws_secret_access_key = testing\n';
  writeFileSync(credentialsFile, ['moto', 'routed', 'dead'].map((p) => `[${p}]\n${keys}`).join('\n'), { mode: 0o600 });
  return {
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    // Nothing from the harness: endpoint, region and credentials come from the profile alone.
    AWS_ENDPOINT_URL: undefined,
    AWS_REGION: undefined,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
  };
}

const CONFIG = () => `[profile moto]
region = us-west-2
endpoint_url = ${env.moto.url}

[profile routed]
region = us-west-2
endpoint_url = ${dead}
services = local

[services local]
ecs =
  endpoint_url = ${env.moto.url}

[profile dead]
region = us-west-2
endpoint_url = ${dead}
`;

/** update-service's report without what differs between two runs (the deployment's id). */
const report = (stdout: string) => {
  const r = JSON.parse(stdout) as Record<string, unknown>;
  return { ...r, deployment: r.deployment === null ? null : 'present' };
};

describe('AWS configuration as the SDKs and the AWS CLI resolve it', () => {
  it('--profile P with an endpoint_url works exactly as AWS_PROFILE=P: credentials, region and endpoint from the profile', async () => {
    const files = profiles(CONFIG());
    const viaFlag = await env.cli(['--profile', 'moto', 'update-service', '--json', '--verbose'], files);
    const viaEnv = await env.cli(['update-service', '--json', '--verbose'], { ...files, AWS_PROFILE: 'moto' });
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(report(viaFlag.stdout)).toEqual(report(viaEnv.stdout));
    expect(report(viaFlag.stdout)).toMatchObject({ cluster: 'appmesh-workshop', taskDefinitionArn: env.ws.taskDefinitionArn });
    const where = `aws ECS: endpoint ${env.moto.url} (profile "moto" endpoint_url), region from profile "moto"`;
    expect(viaFlag.stderr).toContain(`${where}, profile moto (--profile)`);
    expect(viaEnv.stderr).toContain(`${where}, profile moto (AWS_PROFILE)`);
    expect(viaFlag.stderr + viaEnv.stderr).not.toMatch(/testing/);
  });

  it('with AWS_PROFILE naming another profile, --profile wins for the endpoint and the credentials alike', async () => {
    const files = profiles(CONFIG());
    const r = await env.cli(['--profile', 'moto', 'update-service'], { ...files, AWS_PROFILE: 'dead' });
    expect(r.code, r.stderr).toBe(0);
  });

  it("a profile's services section beats its endpoint_url for that service", async () => {
    const files = profiles(CONFIG());
    const r = await env.cli(['--profile', 'routed', 'update-service', '--verbose'], files);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`aws ECS: endpoint ${env.moto.url} (profile "routed" services "local" ecs endpoint_url)`);
  });

  it('AWS_ENDPOINT_URL_ECS beats AWS_ENDPOINT_URL (and the profile)', async () => {
    const files = profiles(CONFIG());
    const r = await env.cli(['--profile', 'dead', 'update-service'], {
      ...files,
      AWS_ENDPOINT_URL: dead,
      AWS_ENDPOINT_URL_ECS: env.moto.url,
    });
    expect(r.code, r.stderr).toBe(0);
    const general = await env.cli(['--profile', 'dead', 'update-service'], { ...files, AWS_ENDPOINT_URL: dead });
    expect(general.code).toBe(3);
    expect(general.stderr).toMatch(/could not reach AWS at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true puts every configured endpoint aside (nothing is sent: no credentials)', async () => {
    const files = profiles(CONFIG());
    const r = await env.cli(['--profile', 'moto', 'update-service', '--verbose'], {
      ...files,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      AWS_ENDPOINT_URL_ECS: env.moto.url,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    });
    expect(r.stderr).toContain('aws ECS: endpoint AWS, region from profile "moto", profile moto (--profile)');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/CredentialsProviderError/);
  });

  it('--endpoint-url beats everything: the service variable, the general one, the profile, and the ignore switch', async () => {
    const files = profiles(CONFIG());
    const r = await env.cli(['--profile', 'dead', '--endpoint-url', env.moto.url, 'update-service', '--verbose'], {
      ...files,
      AWS_ENDPOINT_URL: dead,
      AWS_ENDPOINT_URL_ECS: dead,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`aws ECS: endpoint ${env.moto.url} (--endpoint-url)`);
  });

  it.each([
    ['--profile', ['--profile', 'nosuch'], {}],
    ['AWS_PROFILE', [], { AWS_PROFILE: 'nosuch' }],
  ])('%s nosuch says the profile is missing (exit 2), not "no AWS region"', async (from, args, extra) => {
    const files = profiles(CONFIG());
    const r = await env.cli([...args, 'update-service', '--json'], { ...files, ...extra });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `${from}: the AWS profile "nosuch" is missing: it is in neither ${files.AWS_CONFIG_FILE} nor ${files.AWS_SHARED_CREDENTIALS_FILE}`,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { exitCode: 2 } });
  });

  it('a task definition ARN of another region than the one in use: exit 2 naming both regions, before any call', async () => {
    const arn = env.ws.taskDefinitionArn;
    expect(arn).toMatch(/:us-west-2:/);
    const r = await env.cli(['add-envoy', '--dry-run', '--task-definition', arn, '--region', 'eu-west-1', '--verbose']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `DescribeTaskDefinition: taskDefinition ${arn} is in region us-west-2, but meshctl is using region eu-west-1 (from --region); pass --region us-west-2`,
    );
    expect(r.stderr).not.toMatch(/aws ecs\.DescribeTaskDefinition/);
    const fromProfile = await env.cli(
      ['--profile', 'moto', 'add-envoy', '--dry-run', '--task-definition', arn.replace('us-west-2', 'eu-west-1')],
      profiles(CONFIG()),
    );
    expect(fromProfile.code, fromProfile.stderr).toBe(2);
    expect(fromProfile.stderr).toMatch(/is in region eu-west-1, but meshctl is using region us-west-2 \(from profile "moto"\)/);
  });
});
