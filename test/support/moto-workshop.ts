import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMoto, type Moto } from './moto.js';
import { seedWorkshop, type Workshop } from './workshop.js';

export interface MotoWorkshop {
  readonly moto: Moto;
  readonly ws: Workshop;
}

/**
 * One moto server for the test file (started on a free loopback port, stopped by PID), reset and
 * seeded with the workshop's resources before each test.
 */
export function useMotoWorkshop(options: { managedPolicies?: boolean } = {}): MotoWorkshop {
  let moto: Moto | undefined;
  let ws: Workshop | undefined;
  beforeAll(async () => {
    moto = await startMoto(options);
  });
  afterAll(async () => {
    await moto?.stop();
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
  };
}
