/** How one item of a batch ended. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface BatcherOptions<I> {
  /** The most items one batch takes. */
  maxSize: number;
  /** How many batches may run at once. */
  maxConcurrent: number;
  /** Items with the same key never share a batch: the second waits for the next one. */
  keyOf: (item: I) => string;
}

/**
 * Groups work handed in while earlier work is running. An item handed in while a batch slot is
 * free starts at once, alone: no timer, no added latency. When every slot is busy, items wait,
 * and the next free slot takes all of them (up to `maxSize`) as one batch. Under load, batches
 * grow by themselves; when idle, every batch holds one item.
 */
export class Batcher<I, O> {
  private readonly pending: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private running = 0;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<Settled<O>[]>,
    private readonly options: BatcherOptions<I>,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.startBatches();
    });
  }

  /** Items waiting for a slot. */
  get waiting(): number {
    return this.pending.length;
  }

  private startBatches(): void {
    while (this.running < this.options.maxConcurrent && this.pending.length > 0) {
      const batch = this.take();
      this.running += 1;
      this.runBatch(batch.map((entry) => entry.item))
        .then(
          (results) => batch.forEach((entry, i) => settle(entry, results[i] ?? { ok: false, error: new Error('The batch gave no result for this item') })),
          (error: unknown) => batch.forEach((entry) => entry.reject(error)),
        )
        .finally(() => {
          this.running -= 1;
          this.startBatches();
        });
    }
  }

  /** The oldest waiting items, one per key, up to `maxSize`; the others keep their place. */
  private take(): typeof this.pending {
    const batch: typeof this.pending = [];
    const keys = new Set<string>();
    for (let i = 0; i < this.pending.length && batch.length < this.options.maxSize; ) {
      const key = this.options.keyOf(this.pending[i].item);
      if (keys.has(key)) {
        i += 1;
        continue;
      }
      keys.add(key);
      batch.push(...this.pending.splice(i, 1));
    }
    return batch;
  }
}

function settle<O>(entry: { resolve: (value: O) => void; reject: (error: unknown) => void }, result: Settled<O>): void {
  if (result.ok) entry.resolve(result.value);
  else entry.reject(result.error);
}
