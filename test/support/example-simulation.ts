// The example series played once per test process on the virtual clock with seed 7: the run
// test/e2e/simulate.test.ts checks, and the "before" that the preferences run is compared with.
// A simulation is the most expensive thing the suite does (a whole quarter through the real local
// servers), so the two share one instead of each playing the same seed.
import { join } from 'node:path';
import { simulateSeries, type SimulationResult } from '#cli/simulate';

export const example = join(import.meta.dirname, '..', '..', 'examples', 'q1-productivity');

let run: Promise<SimulationResult> | undefined;

/** The example as is, seed 7. Read it, never change it: every caller gets the same object. */
export function simulatedExample(): Promise<SimulationResult> {
  run ??= simulateSeries({ dir: example, seed: 7 });
  return run;
}
