import { DescribeServicesCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { killLeftoverRuns, motoEnv, runCli, type CliResult } from './cli.js';
import { workerMoto, type Moto } from './moto.js';
import { actAsEcsSchedulerWhileRunning, CLUSTER, FAMILY, sdkClients, seedWorkshop, SERVICE, type Workshop } from './workshop.js';

export interface MotoWorkshop {
  readonly moto: Moto;
  readonly ws: Workshop;
  /** meshctl as a user runs it, in the workshop's folder, against moto (or `url`, a proxy in front of it). */
  cli(args: string[], extraEnv?: Record<string, string | undefined>, url?: string): Promise<CliResult>;
  /** The family's ACTIVE revisions. */
  revisions(family?: string): Promise<string[]>;
  /** The revision the service runs. */
  serviceRevision(service?: string): Promise<string>;
  /** Runs `work` while the ECS scheduler stand-in plays ECS for every service of the cluster. */
  withScheduler<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * The test worker's moto server (see workerMoto), reset and seeded with the workshop's resources
 * before each test; and the helpers every e2e file uses.
 */
export function useMotoWorkshop(): MotoWorkshop {
  let moto: Moto | undefined;
  let ws: Workshop | undefined;
  const schedulers = new Set<{ stop(): Promise<void> }>();
  beforeAll(async () => {
    moto = await workerMoto();
  });
  // What a timed-out test left running must not act on the next file's world in the same moto.
  afterAll(async () => {
    killLeftoverRuns();
    await Promise.allSettled([...schedulers].map((s) => s.stop()));
  });
  beforeEach(async () => {
    await moto!.reset();
    ws = await seedWorkshop(moto!.url);
  });
  return {
    get moto() {
      return moto!;
    },
    get ws() {
      return ws!;
    },
    cli: (args, extraEnv = {}, url) => runCli(args, { cwd: ws!.dir, env: motoEnv(url ?? moto!.url, extraEnv) }),
    async revisions(family = FAMILY) {
      const out = await sdkClients(moto!.url).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE' }));
      return out.taskDefinitionArns ?? [];
    },
    async serviceRevision(service = SERVICE) {
      const out = await sdkClients(moto!.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }));
      return out.services![0]!.taskDefinition!;
    },
    async withScheduler(work) {
      const scheduler = actAsEcsSchedulerWhileRunning(moto!.url, ws!);
      schedulers.add(scheduler);
      try {
        return await work();
      } finally {
        schedulers.delete(scheduler);
        await scheduler.stop();
      }
    },
  };
}
