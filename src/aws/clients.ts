import type { AppMeshApi } from './app-mesh.js';
import type { AwsConfig } from './client-config.js';
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
  ssm(): Promise<SsmApi>;
  appMesh(): Promise<AppMeshApi>;
  iam(): Promise<IamApi>;
  meshResources(): Promise<MeshResourceApi>;
  serviceDiscovery(): Promise<ServiceDiscoveryApi>;
  elbv2(): Promise<Elbv2Api>;
  route53(): Promise<Route53Api>;
  cloudWatch(): Promise<import('./cloudwatch.js').CloudWatchApi>;
  cloudFormation(): Promise<import('./cloudformation.js').CloudFormationApi>;
}

export function createAwsClients(config: AwsConfig): AwsClients {
  const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
    let made: Promise<T> | undefined;
    return () => (made ??= load());
  };
  const meshResources = once(async () => (await import('./mesh-resources.js')).connectMeshResources(config));
  return {
    ecs: once(async () => (await import('./ecs.js')).connectEcs(config)),
    ec2: once(async () => (await import('./ec2.js')).connectEc2(config)),
    ssm: once(async () => (await import('./ssm.js')).connectSsm(config)),
    // One App Mesh client: the typed reads are a view over the generic mesh-resource calls.
    appMesh: once(async () => (await import('./app-mesh.js')).createAppMeshApi(await meshResources())),
    iam: once(async () => (await import('./iam.js')).connectIam(config)),
    meshResources,
    serviceDiscovery: once(async () => (await import('./service-discovery.js')).connectServiceDiscovery(config)),
    elbv2: once(async () => (await import('./elbv2.js')).connectElbv2(config)),
    route53: once(async () => (await import('./route53.js')).connectRoute53(config)),
    cloudWatch: once(async () => (await import('./cloudwatch.js')).connectCloudWatch(config)),
    cloudFormation: once(async () => (await import('./cloudformation.js')).connectCloudFormation(config)),
  };
}
