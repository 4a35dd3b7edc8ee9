import { Sweeper } from '../../../apps/worker/src/sweeper';
import type { TestApp } from './test-app';
import { waitFor } from './wait-for';

interface SweepCount {
  /** Sweeps started since counting began. */
  started: number;
  /** The number of the last sweep that finished (sweeps never overlap: they finish in order). */
  finished: number;
}

const counts = new WeakMap<Sweeper, SweepCount>();

/** Counts the sweeps of the app's in-process worker from the first call on (the same count afterwards). */
function sweepCount(t: TestApp): SweepCount {
  let sweeper: Sweeper;
  try {
    sweeper = t.app.get(Sweeper);
  } catch {
    throw new Error('sweepsRun needs an app started with its worker (startTestApp without worker: false)');
  }
  let count = counts.get(sweeper);
  if (!count) {
    const counted: SweepCount = { started: 0, finished: 0 };
    const sweep = sweeper.sweep.bind(sweeper);
    // The worker's interval calls `this.sweep()`: the instance's own property takes over.
    sweeper.sweep = async () => {
      const run = ++counted.started;
      try {
        await sweep();
      } finally {
        counted.finished = run;
      }
    };
    counts.set(sweeper, counted);
    count = counted;
  }
  return count;
}

/**
 * Resolves once `runs` whole sweeps of the app's in-process worker (started with `worker: true`),
 * each begun after this call, have finished: proof that the sweeps ran, for a test that then
 * asserts they did nothing.
 */
export async function sweepsRun(t: TestApp, runs = 1, { timeoutMs = 15_000 } = {}): Promise<void> {
  const count = sweepCount(t);
  const target = count.started + runs;
  await waitFor(() => count.finished >= target, { timeoutMs, what: `${runs} sweep(s) of the worker` });
}
