import { Batcher, Settled } from './batcher';

/** A batch run the test finishes by hand. */
interface HeldBatch {
  items: string[];
  finish: (results?: Settled<string>[]) => void;
  fail: (error: unknown) => void;
}

function heldBatcher(options: { maxSize: number; maxConcurrent: number }) {
  const batches: HeldBatch[] = [];
  const batcher = new Batcher<string, string>(
    (items) =>
      new Promise<Settled<string>[]>((resolve, reject) => {
        batches.push({
          items,
          finish: (results) => resolve(results ?? items.map((item) => ({ ok: true, value: `done ${item}` }))),
          fail: reject,
        });
      }),
    // Items are "episode:request": one batch never holds two requests on one episode.
    { ...options, keyOf: (item) => item.split(':')[0] },
  );
  return { batcher, batches };
}

const settled = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('starts an item at once, alone, while a slot is free', async () => {
    const { batcher, batches } = heldBatcher({ maxSize: 8, maxConcurrent: 2 });
    const first = batcher.submit('a:1');
    const second = batcher.submit('b:1');
    expect(batches.map((b) => b.items)).toEqual([['a:1'], ['b:1']]);
    batches[0].finish();
    batches[1].finish();
    await expect(first).resolves.toBe('done a:1');
    await expect(second).resolves.toBe('done b:1');
  });

  it('gathers what arrives while every slot is busy into the next batch, up to its size', async () => {
    const { batcher, batches } = heldBatcher({ maxSize: 3, maxConcurrent: 1 });
    const results = ['a:1', 'b:1', 'c:1', 'd:1', 'e:1'].map((item) => batcher.submit(item));
    expect(batches.map((b) => b.items)).toEqual([['a:1']]);
    expect(batcher.waiting).toBe(4);
    batches[0].finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([['a:1'], ['b:1', 'c:1', 'd:1']]);
    batches[1].finish();
    await tick();
    expect(batches[2].items).toEqual(['e:1']);
    batches[2].finish();
    expect(await Promise.all(results)).toEqual(['done a:1', 'done b:1', 'done c:1', 'done d:1', 'done e:1']);
    expect(batcher.waiting).toBe(0);
  });

  it('never puts two items of one key in a batch: the second keeps its place for the next', async () => {
    const { batcher, batches } = heldBatcher({ maxSize: 8, maxConcurrent: 1 });
    const results = ['x:0', 'a:1', 'a:2', 'b:1', 'a:3'].map((item) => batcher.submit(item));
    batches[0].finish();
    await tick();
    expect(batches[1].items).toEqual(['a:1', 'b:1']);
    batches[1].finish();
    await tick();
    expect(batches[2].items).toEqual(['a:2']);
    batches[2].finish();
    await tick();
    expect(batches[3].items).toEqual(['a:3']);
    batches[3].finish();
    expect(await Promise.all(results)).toEqual(['done x:0', 'done a:1', 'done a:2', 'done b:1', 'done a:3']);
  });

  it('settles each item as its batch said, and frees the slot whatever happened', async () => {
    const { batcher, batches } = heldBatcher({ maxSize: 8, maxConcurrent: 1 });
    const first = settled(batcher.submit('a:1'));
    const ok = settled(batcher.submit('b:1'));
    const refused = settled(batcher.submit('c:1'));
    const missing = settled(batcher.submit('d:1'));
    batches[0].fail(new Error('connection lost'));
    expect(await first).toEqual({ error: new Error('connection lost') });
    await tick();
    expect(batches[1].items).toEqual(['b:1', 'c:1', 'd:1']);
    // A batch that answers for fewer items than it got fails the ones it left out.
    batches[1].finish([
      { ok: true, value: 'stored' },
      { ok: false, error: new Error('refused') },
    ]);
    expect(await ok).toEqual({ value: 'stored' });
    expect(await refused).toEqual({ error: new Error('refused') });
    expect(await missing).toEqual({ error: new Error('The batch gave no result for this item') });
    const later = batcher.submit('e:1');
    expect(batches[2].items).toEqual(['e:1']);
    batches[2].finish();
    await expect(later).resolves.toBe('done e:1');
  });
});
