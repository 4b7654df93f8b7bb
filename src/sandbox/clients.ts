import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from './environment.js';

// The seeds and the scheduler stand-in talk to moto with plain SDK clients: they build an emulator's
// world, they are not meshctl's AWS layer (no retries to tune, no errors to translate for a user).

const config = (endpoint: string) => ({ endpoint, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS } });

/** ECS alone: what the scheduler stand-in needs. */
export function ecsClient(endpoint: string): ECSClient {
  return new ECSClient(config(endpoint));
}

/** The clients the workshop's seed and the tests use most. */
export function sdkClients(endpoint: string) {
  const c = config(endpoint);
  return {
    ecs: new ECSClient(c),
    ec2: new EC2Client(c),
    autoScaling: new AutoScalingClient(c),
    appMesh: new AppMeshClient(c),
    ssm: new SSMClient(c),
  };
}

/** The others a world's seed needs. */
export function seedClients(endpoint: string) {
  const c = config(endpoint);
  return {
    elb: new ElasticLoadBalancingV2Client(c),
    route53: new Route53Client(c),
    sd: new ServiceDiscoveryClient(c),
    iam: new IAMClient(c),
  };
}
