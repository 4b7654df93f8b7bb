import { escapeControls } from '../core/escape.js';
import { redactUrlUserinfo } from '../core/secrets.js';
import type { AppMeshApi } from './app-mesh.js';
import type { AutoScalingApi } from './auto-scaling.js';
import { SERVICE_IDS, type AwsConfig, type ServiceName } from './client-config.js';
import type { Ec2Api } from './ec2.js';
import type { Elbv2Api } from './elbv2.js';
import type { Route53Api } from './route53.js';
import type { EcsApi } from './ecs.js';
import type { IamApi } from './iam.js';
import type { MeshResourceApi } from './mesh-resources.js';
import type { ServiceDiscoveryApi } from './service-discovery.js';
import type { SsmApi } from './ssm.js';

/** One factory for every AWS client. Each loads its SDK on first use, so offline commands load none. */
export interface AwsClients {
  ecs(): Promise<EcsApi>;
  ec2(): Promise<Ec2Api>;
  autoScaling(): Promise<AutoScalingApi>;
  ssm(): Promise<SsmApi>;
  appMesh(): Promise<AppMeshApi>;
  iam(): Promise<IamApi>;
  meshResources(): Promise<MeshResourceApi>;
  serviceDiscovery(): Promise<ServiceDiscoveryApi>;
  elbv2(): Promise<Elbv2Api>;
  route53(): Promise<Route53Api>;
  cloudWatch(): Promise<import('./cloudwatch.js').CloudWatchApi>;
  cloudFormation(): Promise<import('./cloudformation.js').CloudFormationApi>;
  eventBridge(): Promise<import('./eventbridge.js').EventBridgeApi>;
  scheduler(): Promise<import('./scheduler.js').SchedulerApi>;
  acm(): Promise<import('./acm.js').AcmApi>;
}

/**
 * The profile is checked once, before the first client; each client then gets the endpoint the SDK's
 * configuration chain gives its service for that profile (src/aws/shared-config.ts), and one
 * --verbose line saying where the endpoint and region come from (never a credential).
 */
export function createAwsClients(config: AwsConfig): AwsClients {
  const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
    let made: Promise<T> | undefined;
    return () => (made ??= load());
  };
  const shared = once(async () => {
    const m = await import('./shared-config.js');
    m.checkSdkFiles();
    await m.checkProfile(config);
    return m;
  });
  const configFor = async (service: ServiceName): Promise<AwsConfig> => {
    const resolved = await (await shared()).serviceConfig(config, SERVICE_IDS[service]);
    resolved.log?.(describeConfig(service, resolved));
    return resolved;
  };
  const meshResources = once(async () => (await import('./mesh-resources.js')).connectMeshResources(await configFor('appMesh')));
  return {
    ecs: once(async () => (await import('./ecs.js')).connectEcs(await configFor('ecs'))),
    ec2: once(async () => (await import('./ec2.js')).connectEc2(await configFor('ec2'))),
    autoScaling: once(async () => (await import('./auto-scaling.js')).connectAutoScaling(await configFor('autoScaling'))),
    ssm: once(async () => (await import('./ssm.js')).connectSsm(await configFor('ssm'))),
    // One App Mesh client: the typed reads are a view over the generic mesh-resource calls.
    appMesh: once(async () => (await import('./app-mesh.js')).createAppMeshApi(await meshResources())),
    iam: once(async () => (await import('./iam.js')).connectIam(await configFor('iam'))),
    meshResources,
    serviceDiscovery: once(async () =>
      (await import('./service-discovery.js')).connectServiceDiscovery(await configFor('serviceDiscovery')),
    ),
    elbv2: once(async () => (await import('./elbv2.js')).connectElbv2(await configFor('elbv2'))),
    route53: once(async () => (await import('./route53.js')).connectRoute53(await configFor('route53'))),
    cloudWatch: once(async () => (await import('./cloudwatch.js')).connectCloudWatch(await configFor('cloudWatch'))),
    cloudFormation: once(async () => (await import('./cloudformation.js')).connectCloudFormation(await configFor('cloudFormation'))),
    eventBridge: once(async () => (await import('./eventbridge.js')).connectEventBridge(await configFor('eventBridge'))),
    scheduler: once(async () => (await import('./scheduler.js')).connectScheduler(await configFor('scheduler'))),
    acm: once(async () => (await import('./acm.js')).connectAcm(await configFor('acm'))),
  };
}

/** `aws ecs: endpoint http://127.0.0.1:5000 (AWS_ENDPOINT_URL_ECS), region us-west-2 (--region), profile p (--profile)`. */
export function describeConfig(service: ServiceName, c: AwsConfig): string {
  const endpoint =
    c.endpointUrl !== undefined ? `${escapeControls(redactUrlUserinfo(c.endpointUrl))} (${c.endpointFrom ?? '--endpoint-url'})` : 'AWS';
  const region =
    c.region !== undefined ? `${c.region} (${c.regionFrom ?? '--region'})` : `from ${c.regionFrom ?? "the SDK's default chain"}`;
  const profile = c.profile !== undefined ? `, profile ${escapeControls(c.profile)} (${c.profileFrom ?? '--profile'})` : '';
  return `aws ${SERVICE_IDS[service]}: endpoint ${endpoint}, region ${region}${profile}`;
}
