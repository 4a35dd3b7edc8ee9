import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { FugueTriageService, LinkEvaluationService } from '@vigie/domain';
import { BlindIndex, DataCipher, dataKeyId, ENCRYPTED_COLUMNS, EncryptedTable, FugueRepository, LinkRepository, slot } from '@vigie/persistence';
import {
  bearer,
  createTestDatabase,
  declareFugue,
  makeClient,
  makeFoyer,
  makeYouth,
  startTestApp,
  TEST_IDENTITY,
  TestApp,
  TestDatabase,
  testEnv,
} from '@vigie/testing';

/**
 * Rotating VIGIE_DATA_KEY: data written with key A, the service moved to key B with A as the
 * previous key, the real `npm run rotate-data-key` run (once interrupted, then to the end), and
 * everything read back with key B alone.
 */

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);

/** A value as Vigie stored it before key ids and associated data. */
function legacyValue(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

type Row = Record<string, string | null>;

describe('data key rotation', () => {
  let database: TestDatabase;
  let t: TestApp | undefined;
  let env: Record<string, string>;
  /** What the API answered with key A, read again after each step. */
  let before: Record<string, unknown>;
  const reads: string[] = [];
  let otherId = '';
  let thirdYouthId = '';
  let foyerKey = '';

  const sql = async (text: string, params: unknown[] = []): Promise<any[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  const startWith = async (keys: Record<string, string>) => {
    t = await startTestApp({ database, worker: false, env: keys });
    return t;
  };
  const stop = async () => {
    await t?.close({ keepDatabase: true });
    t = undefined;
  };
  const readAll = async (app: TestApp): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = {};
    for (const path of reads) out[path] = (await app.http.get(path).set(bearer(app.adminKey)).expect(200)).body;
    return out;
  };
  /** Every encrypted value of the database, with the place it belongs to. */
  const encryptedValues = async (): Promise<{ table: EncryptedTable; column: string; rowId: string[]; value: string }[]> => {
    const found = [];
    for (const table of Object.keys(ENCRYPTED_COLUMNS) as EncryptedTable[]) {
      const { rowKey, columns } = ENCRYPTED_COLUMNS[table];
      const rows: Row[] = (await sql(`SELECT row_to_json(x) AS row FROM "${table}" x`)).map((x: { row: Row }) => x.row);
      for (const row of rows) {
        for (const column of columns) {
          const value = row[column];
          if (typeof value === 'string') found.push({ table, column, rowId: rowKey.map((k) => String(row[k])), value });
        }
      }
    }
    return found;
  };
  const rotation = (args: string[]): ChildProcess =>
    spawn(process.execPath, ['dist/apps/tools/src/rotate-data-key.js', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, VIGIE_DATA_KEY: KEY_B.toString('base64'), VIGIE_DATA_KEY_PREVIOUS: KEY_A.toString('base64') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/start.mjs', 'build-only'], { cwd: ROOT, stdio: 'pipe' });
    database = await createTestDatabase();
    env = testEnv(database);
  }, 180_000);

  afterAll(async () => {
    await stop();
    await database?.drop();
  });

  it('lists every encrypted column of the schema', async () => {
    const columns: { table_name: string; column_name: string }[] = await sql(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name LIKE '%\\_enc' ORDER BY 1, 2`,
    );
    const listed = Object.entries(ENCRYPTED_COLUMNS).flatMap(([table, { columns: c }]) => c.map((column) => `${table}.${column}`));
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`).sort()).toEqual(listed.sort());
  });

  it('writes with key A; with key B and A as previous every value still reads', async () => {
    const app = await startWith({ VIGIE_DATA_KEY: KEY_A.toString('base64') });
    const foyer = await makeFoyer(app, { departmentCode: '75' });
    const foyerClient = await makeClient(app, { role: 'foyer', foyerIds: [foyer.id] });
    const police = await makeClient(app, { role: 'police', departmentCodes: ['75'] });
    await makeClient(app, { role: 'hotline', departmentCodes: ['75'] });
    const referent = await app.http
      .post('/v1/referents')
      .set(bearer(app.adminKey))
      .send({ displayName: 'Astreinte test', role: 'police', departmentCode: '75', channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }] })
      .expect(201);
    const endpoint = await app.http
      .post('/v1/webhook-endpoints')
      .set(bearer(app.adminKey))
      .send({ url: 'http://127.0.0.1:9/endpoint', events: ['fugue.declared'] })
      .expect(201);
    await app.http.post(`/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`).set(bearer(app.adminKey)).expect(200);

    // Many youths, so that a rotation one row a batch is still going when it is interrupted.
    const youths = await Promise.all(Array.from({ length: 30 }, (_, i) => makeYouth(app, foyerClient.key, foyer.id, { phone: `+33 6 00 00 00 ${String(i).padStart(2, '0')}` })));
    const fugue = await app.http
      .post('/v1/fugues')
      .set(bearer(foyerClient.key))
      .set('Idempotency-Key', 'rotation-test-1')
      .send({ youthId: youths[0].id, noticedMissingAt: new Date(Date.now() - 60_000).toISOString(), circumstances: 'Testcirconstances' })
      .expect(201);
    const fugueId: string = fugue.body.id;
    await app.http.post(`/v1/fugues/${fugueId}/updates`).set(bearer(foyerClient.key)).send({ note: 'Testnote' }).expect(201);
    await app.http.post(`/v1/fugues/${fugueId}/override`).set(bearer(police.key)).send({ level: 'worrying', reason: 'Testraison' }).expect(200);
    await app.http.post(`/v1/fugues/${fugueId}/located`).set(bearer(police.key)).send({ at: new Date().toISOString(), place: 'Testlieu' }).expect(200);
    await app.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerClient.key)).send({ returnedAt: new Date().toISOString(), foundBy: 'self', place: 'Testretour' }).expect(200);
    await app.http.post(`/v1/fugues/${fugueId}/close`).set(bearer(foyerClient.key)).send({ reason: 'Testfin' }).expect(200);
    const other = await declareFugue(app, foyerClient.key, youths[1].id, { indicators: ['SUICIDE_RISK'], connections: { vehicles: [{ plate: 'RT-111-AA' }] } });
    otherId = other.id;
    thirdYouthId = youths[3].id;
    foyerKey = foyerClient.key;

    // One value as stored before key ids: still readable, and upgraded by the rotation.
    await sql(`UPDATE youths SET identity_enc = $1 WHERE id = $2`, [
      legacyValue(KEY_A, { ...TEST_IDENTITY, birthDate: '2010-01-01', phone: null, description: null, photoUrl: null, usualPlaces: [], medicalDetails: null }),
      youths[2].id,
    ]);
    reads.push(
      ...youths.map((y) => `/v1/youths/${y.id}`),
      `/v1/fugues/${fugueId}`,
      `/v1/fugues/${fugueId}/timeline`,
      `/v1/fugues/${other.id}`,
      `/v1/referents/${referent.body.id}`,
    );
    before = await readAll(app);
    expect(JSON.stringify(before)).toContain('Testcirconstances');
    expect(JSON.stringify(before)).toContain('Testnote');
    await stop();

    const values = await encryptedValues();
    const columnsWithValues = new Set(values.map((v) => `${v.table}.${v.column}`));
    for (const column of [
      'youths.identity_enc',
      'fugues.details_enc',
      'fugues.return_enc',
      'fugues.end_reason_enc',
      'fugues.override_reason_enc',
      'fugues.located_enc',
      'fugue_updates.private_enc',
      'fugue_events.private_enc',
      'api_clients.inbound_webhook_secret_enc',
      'referents.webhook_secret_enc',
      'webhook_endpoints.secret_enc',
      'webhook_endpoints.previous_secret_enc',
      'idempotency_keys.response_enc',
      'fugue_connections.value_enc',
    ]) {
      expect({ column, present: columnsWithValues.has(column) }).toEqual({ column, present: true });
    }

    const both = await startWith({ VIGIE_DATA_KEY: KEY_B.toString('base64'), VIGIE_DATA_KEY_PREVIOUS: KEY_A.toString('base64') });
    expect(await readAll(both)).toEqual(before);
    // A plate told under key B finds the same plate indexed under key A before the rotation.
    const third = await declareFugue(both, foyerKey, thirdYouthId, { connections: { vehicles: [{ plate: 'rt 111 aa' }] } });
    const found = await both.dataSource.transaction(async (manager) =>
      both.app.get(LinkEvaluationService).evaluate(manager, (await both.app.get(FugueRepository).findById(third.id, manager))!, new Date()),
    );
    expect(found.map((link) => [link.otherId, link.reasons])).toEqual([[otherId, ['SAME_VEHICLE']]]);
    // A triage's claim reads the candidates for the stored indexes only; under a rotation the
    // triage reads them again for every index. A fourth episode with the same plate, triaged, is
    // linked to the one whose plate is indexed under key A as well as to the third.
    const fourth = await declareFugue(both, foyerKey, youths[4].id, { connections: { vehicles: [{ plate: 'RT 111 AA' }] } });
    const [job]: { outboxId: string }[] = await both.dataSource.query(
      `SELECT id::text AS "outboxId" FROM outbox WHERE payload->>'fugueId' = $1 AND processed_at IS NULL`,
      [fourth.id],
    );
    await both.app.get(FugueTriageService).triageFugue({ fugueId: fourth.id, cause: 'declared', outboxId: job.outboxId });
    const linkedToFourth = await both.app.get(LinkRepository).linksOf(fourth.id);
    expect(linkedToFourth.map((link) => [link.otherId, link.reasons]).sort()).toEqual([[otherId, ['SAME_VEHICLE']], [third.id, ['SAME_VEHICLE']]].sort());
    await stop();
  }, 120_000);

  it('an interrupted rotation leaves a mix; run again, it finishes and key B alone reads everything', async () => {
    const currentPrefix = `v2.${dataKeyId(KEY_B)}.`;
    const total = (await encryptedValues()).length;
    expect(total).toBeGreaterThan(40);

    const first = rotation(['--batch-size=1']);
    let output = '';
    const killed = new Promise<void>((resolve) => {
      first.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/: [1-9]\d*\/\d+ re-encrypted/.test(output) && first.exitCode === null) first.kill('SIGKILL');
      });
      first.once('exit', () => resolve());
    });
    await killed;
    expect(first.signalCode).toBe('SIGKILL');
    const midway = await encryptedValues();
    const done = midway.filter((v) => v.value.startsWith(currentPrefix)).length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(total);

    const { stdout } = await run('npm', ['run', '--silent', 'rotate-data-key', '--', '--batch-size=7'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, VIGIE_DATA_KEY: KEY_B.toString('base64'), VIGIE_DATA_KEY_PREVIOUS: KEY_A.toString('base64') },
    });
    expect(stdout).toContain('youths.identity_enc: ');
    // The blind index told under key A is recomputed under key B; both plates now share one index.
    expect(stdout).toMatch(/fugue_connections\.blind_index: [1-9]\d* recomputed/);
    const indexes: { blind_index: string; index_key_id: string }[] = await sql(`SELECT blind_index, index_key_id FROM fugue_connections WHERE blind_index IS NOT NULL`);
    // The plate of three episodes (the first test's), each index under key B now.
    expect(indexes).toEqual(
      Array.from({ length: 3 }, () => ({ blind_index: BlindIndex.withKey(KEY_B).of('plate', 'RT111AA'), index_key_id: dataKeyId(KEY_B) })),
    );
    expect(stdout).toMatch(new RegExp(`Done: ${total - done} values re-encrypted, 0 unreadable`));

    const after = await encryptedValues();
    expect(after).toHaveLength(total);
    expect(after.filter((v) => !v.value.startsWith(currentPrefix))).toEqual([]);
    const onlyB = DataCipher.withKey(KEY_B);
    for (const v of after) expect(() => onlyB.decrypt(v.value, slot(v.table, v.column as never, v.rowId))).not.toThrow();

    // A third run has nothing left to do.
    const again = await run(process.execPath, ['dist/apps/tools/src/rotate-data-key.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, VIGIE_DATA_KEY: KEY_B.toString('base64') },
    });
    expect(again.stdout).toContain('Done: 0 values re-encrypted, 0 unreadable');

    const onlyKeyB = await startWith({ VIGIE_DATA_KEY: KEY_B.toString('base64'), VIGIE_DATA_KEY_PREVIOUS: '' });
    expect(await readAll(onlyKeyB)).toEqual(before);
    await stop();
  }, 120_000);
});
