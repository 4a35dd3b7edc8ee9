import { createHmac, hkdfSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, declareFugue, makeClient, makeFoyer, makeYouth, startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

/**
 * The data key of a process started without VIGIE_DATA_KEY outside production: generated into
 * its own file, never a constant of the source.
 */

/** The key every copy of Vigie used when none was given, before keys were generated. */
const FORMER_SOURCE_KEY = Buffer.alloc(32, 'vigie-development-only-data-key!');

/** An acknowledgement link as ack-token.ts signs it, with a key of one's choice. */
function signLink(dataKey: Buffer, alertId: string, referentId: string): string {
  const key = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'vigie acknowledgement links', 32));
  const claims = Buffer.from(JSON.stringify({ a: alertId, r: referentId, e: testNow().getTime() + 3600_000 })).toString('base64url');
  return `${claims}.${createHmac('sha256', key).update(claims).digest('base64url')}`;
}

describe('data key outside production without VIGIE_DATA_KEY', () => {
  let t: TestApp;
  let dir: string;
  let keyFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigie-data-key-'));
    keyFile = join(dir, 'keys', 'data.key');
    t = await startTestApp({ env: { NODE_ENV: 'test', VIGIE_DATA_KEY: '', VIGIE_DATA_KEY_FILE: keyFile } });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates its key into VIGIE_DATA_KEY_FILE, readable by its owner only', () => {
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
  });

  it('refuses an acknowledgement link forged with the key that used to be in the source', async () => {
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    const { key } = await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] });
    const referent = (
      await t.http
        .post('/v1/referents')
        .set(bearer(t.adminKey))
        .send({ displayName: 'Astreinte test', role: 'police', departmentCode: '75', channels: [{ type: 'email', address: 'astreinte@vigie.test' }] })
        .expect(201)
    ).body;
    const youth = await makeYouth(t, key, foyer.id);
    const fugue = await declareFugue(t, key, youth.id, { indicators: ['SUICIDE_RISK'] });
    const alert = await waitFor(
      async () => (await t.http.get('/v1/alerts?limit=200').set(bearer(t.adminKey)).expect(200)).body.items.find((a: { fugueId: string }) => a.fugueId === fugue.id),
      { what: 'the alert of the worrying episode' },
    );

    const forged = await t.http.post(`/a/${signLink(FORMER_SOURCE_KEY, alert.id, referent.id)}`);
    expect(forged.status).toBe(404);
    expect((await t.http.get(`/v1/alerts/${alert.id}`).set(bearer(t.adminKey)).expect(200)).body.state).toBe('open');

    // The same link signed with the key of the file is genuine.
    const fileKey = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
    await t.http.post(`/a/${signLink(fileKey, alert.id, referent.id)}`).expect(200);
    expect((await t.http.get(`/v1/alerts/${alert.id}`).set(bearer(t.adminKey)).expect(200)).body.state).toBe('acknowledged');
  });
});
