import { ACMClient } from '@aws-sdk/client-acm';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addRegionCheck, SERVICE_IDS, type AwsConfig } from '../../src/aws/client-config.js';
import { describeConfig } from '../../src/aws/clients.js';
import { checkProfile, regionSource, resolveEndpoint } from '../../src/aws/shared-config.js';
import { UsageError } from '../../src/errors.js';

// Plain files in a private temp folder, never the user's ~/.aws: HOME points there too. Each test
// writes files of its own name, because the SDK caches a shared file's text by its path.
const dir = mkdtempSync(join(tmpdir(), 'meshctl-awsconfig-'));
let n = 0;
const files = (config: string, credentials = '') => {
  n++;
  const configFile = join(dir, `config-${n}`);
  const credentialsFile = join(dir, `credentials-${n}`);
  writeFileSync(configFile, config, { mode: 0o600 });
  writeFileSync(credentialsFile, credentials, { mode: 0o600 });
  vi.stubEnv('AWS_CONFIG_FILE', configFile);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', credentialsFile);
  return { configFile, credentialsFile };
};

const AWS_VARIABLES = [
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  ...Object.values(SERVICE_IDS).map((id) => `AWS_ENDPOINT_URL_${id.toUpperCase().replace(/ /g, '_')}`),
];

beforeEach(() => {
  vi.stubEnv('HOME', dir);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  for (const name of AWS_VARIABLES) vi.stubEnv(name, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `[default]
region = eu-central-1

[profile moto]
region = us-west-2
endpoint_url = http://127.0.0.1:5000

[profile split]
region = us-east-2
services = local
endpoint_url = http://127.0.0.1:6000

[services local]
ecs =
  endpoint_url = http://127.0.0.1:6001
app_mesh =
  endpoint_url = http://127.0.0.1:6002
elastic_load_balancing_v2 =
  endpoint_url = http://127.0.0.1:6003

[profile ignoring]
region = us-west-2
endpoint_url = http://127.0.0.1:7000
ignore_configured_endpoint_urls = true

[profile broken]
services = absent

[profile badurl]
endpoint_url = http://127.0.0.1:99999
`;

describe('SERVICE_IDS', () => {
  it("are each client's own service id (AWS_ENDPOINT_URL_<id> and the services key derive from it)", () => {
    const clients = {
      ecs: new ECSClient({}),
      ec2: new EC2Client({}),
      autoScaling: new AutoScalingClient({}),
      ssm: new SSMClient({}),
      appMesh: new AppMeshClient({}),
      iam: new IAMClient({}),
      serviceDiscovery: new ServiceDiscoveryClient({}),
      elbv2: new ElasticLoadBalancingV2Client({}),
      route53: new Route53Client({}),
      cloudWatch: new CloudWatchClient({}),
      cloudFormation: new CloudFormationClient({}),
      eventBridge: new EventBridgeClient({}),
      scheduler: new SchedulerClient({}),
      acm: new ACMClient({}),
    };
    expect(Object.keys(clients).sort()).toEqual(Object.keys(SERVICE_IDS).sort());
    for (const [name, client] of Object.entries(clients))
      expect([name, client.config.serviceId]).toEqual([name, SERVICE_IDS[name as keyof typeof clients]]);
  });
});

describe('resolveEndpoint: the SDK precedence', () => {
  const ecs = (config: AwsConfig) => resolveEndpoint(config, 'ECS');

  it.each<[string, Record<string, string>, AwsConfig, string | undefined, string | undefined]>([
    ['the profile endpoint_url', {}, { profile: 'moto' }, 'http://127.0.0.1:5000', 'profile "moto" endpoint_url'],
    [
      'the services section beats endpoint_url',
      {},
      { profile: 'split' },
      'http://127.0.0.1:6001',
      'profile "split" services "local" ecs endpoint_url',
    ],
    [
      'AWS_ENDPOINT_URL beats the profile',
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
      { profile: 'split' },
      'http://127.0.0.1:1',
      'AWS_ENDPOINT_URL',
    ],
    [
      'AWS_ENDPOINT_URL_ECS beats AWS_ENDPOINT_URL',
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:2' },
      { profile: 'moto' },
      'http://127.0.0.1:2',
      'AWS_ENDPOINT_URL_ECS',
    ],
    [
      'another service variable is not ECS',
      { AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:3' },
      { profile: 'moto' },
      'http://127.0.0.1:5000',
      'profile "moto" endpoint_url',
    ],
    [
      'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores the environment',
      { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:2' },
      {},
      undefined,
      undefined,
    ],
    [
      'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores the profile',
      { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
      { profile: 'moto' },
      undefined,
      undefined,
    ],
    ['the profile can ignore its own endpoint_url', {}, { profile: 'ignoring' }, undefined, undefined],
    [
      'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false beats the profile',
      { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' },
      { profile: 'ignoring' },
      'http://127.0.0.1:7000',
      'profile "ignoring" endpoint_url',
    ],
    [
      '--endpoint-url beats everything, ignore included',
      { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:2' },
      { profile: 'split', endpointUrl: 'http://127.0.0.1:4' },
      'http://127.0.0.1:4',
      '--endpoint-url',
    ],
    ['no profile: the default one, which has no endpoint', {}, {}, undefined, undefined],
  ])('%s', async (_name, env, config, url, from) => {
    files(CONFIG);
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const found = await ecs(config);
    expect(found?.value).toBe(url);
    expect(found?.from).toBe(from);
  });

  it('reads the services keys of other services by their SDK names (app_mesh, elastic_load_balancing_v2)', async () => {
    files(CONFIG);
    expect((await resolveEndpoint({ profile: 'split' }, SERVICE_IDS.appMesh))?.value).toBe('http://127.0.0.1:6002');
    expect((await resolveEndpoint({ profile: 'split' }, SERVICE_IDS.elbv2))?.value).toBe('http://127.0.0.1:6003');
    expect((await resolveEndpoint({ profile: 'split' }, SERVICE_IDS.ssm))?.value).toBe('http://127.0.0.1:6000');
    vi.stubEnv('AWS_ENDPOINT_URL_APP_MESH', 'http://127.0.0.1:8');
    vi.stubEnv('AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2', 'http://127.0.0.1:9');
    expect((await resolveEndpoint({ profile: 'split' }, SERVICE_IDS.appMesh))?.from).toBe('AWS_ENDPOINT_URL_APP_MESH');
    expect((await resolveEndpoint({ profile: 'split' }, SERVICE_IDS.elbv2))?.from).toBe('AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2');
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['a services section that is not there', {}, 'broken', /profile "broken": its services section "absent" is not in the AWS config file/],
    [
      'a bad ignore value',
      { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'yes' },
      'moto',
      /AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "yes" is neither true nor false/,
    ],
    [
      'a bad profile endpoint_url',
      {},
      'badurl',
      /profile "badurl" endpoint_url: "http:\/\/127\.0\.0\.1:99999": port 99999 is out of range/,
    ],
  ])('refuses %s (exit 2), where the SDK would quietly talk to AWS', async (_name, env, profile, message) => {
    files(CONFIG);
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const err = await ecs({ profile }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('--profile P resolves as AWS_PROFILE=P does in the SDK itself', () => {
  /** The SDK's own configured endpoint for a client built with no endpoint (read only for AWS_PROFILE). */
  const sdkEndpoint = async (Client: new (c: object) => { config: object }) => {
    const client = new Client({ region: 'us-west-2' });
    const own = (client.config as { serviceConfiguredEndpoint: () => Promise<string | undefined> }).serviceConfiguredEndpoint;
    return own();
  };

  it.each([
    ['moto', {}],
    ['split', {}],
    ['split', { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }],
    [
      'split',
      {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:2',
        AWS_ENDPOINT_URL_APP_MESH: 'http://127.0.0.1:3',
      },
    ],
    ['ignoring', {}],
    ['moto', { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }],
    ['default', {}],
  ])('profile %s with %o', async (profile, env) => {
    files(CONFIG);
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const clients = [
      [ECSClient, SERVICE_IDS.ecs],
      [AppMeshClient, SERVICE_IDS.appMesh],
      [ElasticLoadBalancingV2Client, SERVICE_IDS.elbv2],
      [ServiceDiscoveryClient, SERVICE_IDS.serviceDiscovery],
    ] as const;
    const ours = await Promise.all(clients.map(async ([, id]) => (await resolveEndpoint({ profile }, id))?.value));
    vi.stubEnv('AWS_PROFILE', profile);
    const sdk = await Promise.all(clients.map(([Client]) => sdkEndpoint(Client)));
    expect(ours).toEqual(sdk);
    // And the region the client's own provider gives for the `profile` option is the one for AWS_PROFILE.
    const viaOption = await (vi.stubEnv('AWS_PROFILE', undefined), new ECSClient({ profile }).config.region());
    vi.stubEnv('AWS_PROFILE', profile);
    expect(viaOption).toBe(await new ECSClient({}).config.region());
  });
});

describe('checkProfile', () => {
  it('says a named profile is missing, naming the files', async () => {
    const { configFile, credentialsFile } = files(CONFIG);
    const err = await checkProfile({ profile: 'nosuch', profileFrom: '--profile' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `--profile: the AWS profile "nosuch" is missing: it is in neither ${configFile} nor ${credentialsFile}; name a profile those files have (\`aws configure list-profiles\`), or set AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE`,
    );
    await expect(checkProfile({ profile: 'nosuch', profileFrom: 'AWS_PROFILE' })).rejects.toThrow(
      /^AWS_PROFILE: the AWS profile "nosuch" is missing/,
    );
  });

  it('accepts a profile of either file, and no profile at all', async () => {
    files(CONFIG, '[creds-only]\naws_access_key_id = x\naws_secret_access_key = y\n');
    await expect(checkProfile({ profile: 'moto' })).resolves.toBeUndefined();
    await expect(checkProfile({ profile: 'creds-only' })).resolves.toBeUndefined();
    await expect(checkProfile({})).resolves.toBeUndefined();
  });
});

describe('regionSource', () => {
  it('names the flag or variable, else the profile that has a region, else the default chain', async () => {
    files(CONFIG);
    expect(await regionSource({ region: 'us-west-2', regionFrom: 'AWS_REGION' })).toBe('AWS_REGION');
    expect(await regionSource({ profile: 'moto' })).toBe('profile "moto"');
    expect(await regionSource({})).toBe('profile "default"');
    expect(await regionSource({ profile: 'broken' })).toBe("the SDK's default chain");
  });
});

describe('describeConfig (--verbose)', () => {
  it('says where endpoint, region and profile come from, never a userinfo password', () => {
    expect(
      describeConfig('ecs', {
        endpointUrl: 'http://u:secret@127.0.0.1:5000',
        endpointFrom: 'AWS_ENDPOINT_URL_ECS',
        regionFrom: 'profile "moto"',
        profile: 'moto',
        profileFrom: '--profile',
      }),
    ).toBe('aws ECS: endpoint http://***@127.0.0.1:5000 (AWS_ENDPOINT_URL_ECS), region from profile "moto", profile moto (--profile)');
    expect(describeConfig('appMesh', { region: 'eu-west-1', regionFrom: '--region' })).toBe(
      'aws App Mesh: endpoint AWS, region eu-west-1 (--region)',
    );
  });
});

describe('addRegionCheck', () => {
  const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/crystal:3';
  const client = (config: object) => {
    const sent: string[] = [];
    const c = new ECSClient({
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      endpoint: 'http://127.0.0.1:1',
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          sent.push(request.headers['x-amz-target'] ?? '?');
          throw Object.assign(new Error('stop here'), { name: 'StopHere' });
        },
      },
      ...config,
    });
    return { c, sent };
  };

  it('refuses an ARN of another region before anything is sent, naming both regions and where the region came from', async () => {
    const { c, sent } = client({ region: 'us-west-2' });
    addRegionCheck(c as never, { regionFrom: '--region' });
    const err = await c.send(new DescribeTaskDefinitionCommand({ taskDefinition: ARN })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `DescribeTaskDefinition: taskDefinition ${ARN} is in region eu-west-1, but meshctl is using region us-west-2 (from --region); pass --region eu-west-1, or name a resource of us-west-2`,
    );
    expect(sent).toEqual([]);
  });

  it('reads the region the SDK resolves for the profile', async () => {
    files(CONFIG);
    const { c, sent } = client({ profile: 'split' });
    addRegionCheck(c as never, { regionFrom: 'profile "split"' });
    await expect(c.send(new DescribeTaskDefinitionCommand({ taskDefinition: ARN }))).rejects.toThrow(
      /is in region eu-west-1, but meshctl is using region us-east-2 \(from profile "split"\)/,
    );
    expect(sent).toEqual([]);
  });

  it.each([
    ['an ARN of the same region', ARN.replace('eu-west-1', 'us-west-2')],
    ['a family:revision', 'crystal:3'],
  ])('sends %s', async (_name, taskDefinition) => {
    const { c, sent } = client({ region: 'us-west-2' });
    addRegionCheck(c as never, {});
    await expect(c.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).rejects.toThrow(/stop here/);
    expect(sent).toEqual(['AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition']);
  });
});
