import { ACMClient } from '@aws-sdk/client-acm';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll } from 'vitest';
import './setup-matchers.js';

// The files that mock SDK clients share their worker's modules (vitest.config.ts): after each file,
// every client class's send is put back, so a later file that forgot to mock a client fails as it would
// alone instead of answering from an earlier file's mock. And aws-sdk-client-mock's matchers (setup-matchers.ts).

const CLIENTS = [
  ACMClient,
  AppMeshClient,
  AutoScalingClient,
  CloudFormationClient,
  CloudWatchClient,
  EC2Client,
  ECSClient,
  ElasticLoadBalancingV2Client,
  EventBridgeClient,
  IAMClient,
  Route53Client,
  SchedulerClient,
  ServiceDiscoveryClient,
  SSMClient,
];

afterAll(() => {
  for (const client of CLIENTS) {
    const send = Object.getOwnPropertyDescriptor(client.prototype, 'send')?.value as { restore?: () => void } | undefined;
    send?.restore?.();
  }
});
