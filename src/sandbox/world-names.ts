import { SANDBOX_REGION } from './environment.js';
import type { World } from './state.js';

// The names the sandbox's worlds use, apart from the seeding code (which loads the AWS SDK), so that
// `sandbox status` and the help can name them without loading it.

export const REGION = SANDBOX_REGION;
export const CLUSTER = 'appmesh-workshop';
export const SERVICE = 'crystal-service-lb';
export const FAMILY = 'appmesh-workshop-crystal-lb-vanilla';
export const ASG = 'appmesh-workshop-ruby-asg';
export const MESH = 'appmesh-workshop';
export const NODE = 'crystal-lb-vanilla';
export const ZONE = 'appmeshworkshop.hosted.local';
export const TASK_ROLE = 'appmesh-workshop-TaskIamRole';
export const TASK_ROLE_ARN = `arn:aws:iam::123456789012:role/${TASK_ROLE}`;
export const EXECUTION_ROLE_ARN = 'arn:aws:iam::123456789012:role/appmesh-workshop-TaskExecutionIamRole';

export const RUNBOOK_CLUSTER = 'local-cluster';
export const RUNBOOK_MESH = 'local-mesh';
export const RUNBOOK_NAMESPACE = 'local';
export const RUNBOOK_TASK_ROLE = 'local-mesh-TaskIamRole';
export const RUNBOOK_SERVICES = ['payments', 'products'] as const;

/** One line per world: what `sandbox up` seeds (its help and the docs say the same). */
export const WORLD_SUMMARIES: Record<World, string> = {
  workshop:
    `the App Mesh workshop: cluster ${CLUSTER}, ${SERVICE} (3 RUNNING Fargate tasks) behind an internal ALB, ` +
    `the Ruby ASG ${ASG} and its 2 instances, private zone ${ZONE}, mesh ${MESH} with ${NODE}, ` +
    `task role ${TASK_ROLE} with AWSAppMeshEnvoyAccess`,
  runbook:
    `the console runbook: cluster ${RUNBOOK_CLUSTER}, Cloud Map namespace ${RUNBOOK_NAMESPACE}, ${RUNBOOK_SERVICES.join(' and ')} ` +
    `on envoy (products calls payments), mesh ${RUNBOOK_MESH} with their nodes, routers and routes (moto has no virtual ` +
    `services or gateways), task role ${RUNBOOK_TASK_ROLE} with AWSAppMeshEnvoyAccess`,
};
