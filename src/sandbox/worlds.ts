import { seedRunbookWorld } from './runbook-world.js';
import type { World } from './state.js';
import { CLUSTER, TASK_ROLE } from './world-names.js';
import { seedTaskRole, seedWorkshopResources, type TaskNetwork } from './workshop-world.js';

/** A seeded world: where its tasks run, the cluster the stand-in watches, and its cfn-output.json. */
export interface SeededWorld {
  cluster: string;
  net: TaskNetwork;
  cfnOutput: Record<string, string>;
}

/** Seeds `world` (WORLD_SUMMARIES says what it holds) into the empty moto at `endpoint`. */
export async function seedWorld(world: World, endpoint: string): Promise<SeededWorld> {
  if (world === 'runbook') return seedRunbookWorld(endpoint);
  const ws = await seedWorkshopResources(endpoint, { front: true });
  await seedTaskRole(endpoint, TASK_ROLE);
  return { cluster: CLUSTER, net: { subnetId: ws.subnetId, securityGroupId: ws.securityGroupId }, cfnOutput: ws.cfnOutput };
}
