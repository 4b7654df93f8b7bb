import { DescribeServicesCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { killLeftoverRuns, motoEnv, runCli, type CliResult } from './cli.js';
import { restoreMoto, snapshotMoto } from '../../src/sandbox/moto.js';
import { seedWorkshopResources } from '../../src/sandbox/workshop-world.js';
import { workerMoto, type Moto } from './moto.js';
import { actAsEcsSchedulerWhileRunning, CLUSTER, FAMILY, sdkClients, SERVICE, workshopFolder, type Workshop } from './workshop.js';

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
  /**
   * What `seed` adds to the fresh workshop, as seeding it would make it: the first time in this server
   * by seeding (a snapshot named `name` is kept), every later time by restoring that snapshot. Call it in a
   * beforeEach or first in a test, while the world is still the fresh workshop.
   */
  seeded(name: string, seed: (url: string, ws: Workshop) => Promise<unknown>): Promise<void>;
}

/**
 * What the workshop's seed made in a server that keeps a snapshot of it (the worker's moto, see workerMoto),
 * and the names of the worlds seeded on top of that seed and kept too (MotoWorkshop.seeded).
 */
const seeded = new WeakMap<Moto, { workshop: Awaited<ReturnType<typeof seedWorkshopResources>>; worlds: Set<string> }>();

/**
 * The workshop's world in `moto`, as a fresh seed makes it: the first time, reset and seeded, and the
 * launcher keeps a snapshot of it (snapshotMoto); every later time that snapshot is put back, a tenth of the
 * CPU of a reset and some twenty calls. A server that cannot keep one is reset and seeded each time.
 */
async function freshWorkshop(moto: Moto): Promise<Workshop> {
  const kept = seeded.get(moto);
  if (kept && (await restoreMoto(moto.url))) return workshopFolder(kept.workshop);
  seeded.delete(moto);
  await moto.reset();
  const made = await seedWorkshopResources(moto.url);
  if (await snapshotMoto(moto.url)) seeded.set(moto, { workshop: made, worlds: new Set() });
  else console.warn(`moto at ${moto.url} kept no snapshot of the workshop: each test seeds it again (slower, the same world)`);
  return workshopFolder(made);
}

/**
 * The test worker's moto server (see workerMoto), holding the workshop's resources as a fresh seed
 * makes them before each test (freshWorkshop); and the helpers every e2e file uses.
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
    ws = await freshWorkshop(moto!);
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
    async seeded(name, seed) {
      const worlds = seeded.get(moto!)?.worlds;
      const snapshot = `world:${name}`;
      if (worlds?.has(name) && (await restoreMoto(moto!.url, snapshot))) return;
      worlds?.delete(name);
      await seed(moto!.url, ws!);
      if (!worlds) return;
      if (await snapshotMoto(moto!.url, snapshot)) worlds.add(name);
      else console.warn(`moto kept no snapshot of the world ${name}: each test seeds it again (slower, the same world)`);
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
