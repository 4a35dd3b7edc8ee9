import 'reflect-metadata';
import { Client } from 'pg';
import { loadConfigOrExit } from '@vigie/config';
import { BlindIndex, DataCipher, rotateBlindIndexes, rotateDataKey } from '@vigie/persistence';

const DEFAULT_BATCH_SIZE = 500;

/**
 * `npm run rotate-data-key [-- --batch-size=N]`: after VIGIE_DATA_KEY has been changed (the old
 * key in VIGIE_DATA_KEY_PREVIOUS, the service running with both), re-encrypts every encrypted
 * value with the new key, in batches, printing its progress. Safe to stop and run again: it
 * takes only what is left. Once it reports nothing left, VIGIE_DATA_KEY_PREVIOUS can be removed.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const batchArg = process.argv.slice(2).find((arg) => arg.startsWith('--batch-size='));
  const batchSize = batchArg ? Number(batchArg.slice('--batch-size='.length)) : DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    process.stderr.write('--batch-size must be an integer from 1 to 10000\n');
    process.exit(2);
  }
  const cipher = new DataCipher(config);
  const client = new Client({ connectionString: config.DATABASE_URL });
  await client.connect();
  try {
    process.stdout.write(`Re-encrypting with the key ${cipher.keyId}${config.previousDataKey ? ' (previous key given)' : ''}, ${batchSize} rows a batch\n`);
    const result = await rotateDataKey(client, cipher, {
      batchSize,
      onProgress: (p) => process.stdout.write(`${p.table}.${p.column}: ${p.rewritten}/${p.total} re-encrypted${p.unreadable ? `, ${p.unreadable} unreadable` : ''}\n`),
      onUnreadable: (where) => process.stderr.write(`unreadable: ${where.table}.${where.column} of row ${where.rowId.join('/')}\n`),
    });
    const indexes = await rotateBlindIndexes(client, cipher, new BlindIndex(config), batchSize);
    result.unreadable += indexes.unreadable;
    process.stdout.write(`fugue_connections.blind_index: ${indexes.recomputed} recomputed\n`);
    process.stdout.write(`Done: ${result.rewritten} values re-encrypted, ${result.unreadable} unreadable\n`);
    if (result.unreadable > 0) {
      process.stderr.write('Some values open with neither VIGIE_DATA_KEY nor VIGIE_DATA_KEY_PREVIOUS; keep the previous key until they are understood\n');
      process.exitCode = 1;
    }
  } finally {
    await client.end();
  }
}

void main().catch((error: Error) => {
  process.stderr.write(`Key rotation stopped: ${error.message}\n`);
  process.exit(1);
});
