import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/environment.js';

// Plain SDK clients for the tests' own look at moto (what a command left behind) and for test-only
// seeds. meshctl and the sandbox's worlds reach moto through src/aws/clients.ts instead.

const config = (endpoint: string) => ({ endpoint, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS } });

/** The clients the tests use most. */
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

/** The others. */
export function seedClients(endpoint: string) {
  const c = config(endpoint);
  return {
    elb: new ElasticLoadBalancingV2Client(c),
    route53: new Route53Client(c),
    sd: new ServiceDiscoveryClient(c),
    iam: new IAMClient(c),
  };
}
