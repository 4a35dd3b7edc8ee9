import { bearer, makeFoyer, startTestApp, TestApp } from '@vigie/testing';

/**
 * Keyset pages through rows whose times PostgreSQL holds to the microsecond: rows written by one
 * statement share their time exactly, and a cursor rounded to the millisecond skipped every one
 * of them after the first page.
 */

type Json = Record<string, any>;

describe('pages of rows written at the same instant', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function everyPage(path: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Json } = await t.http.get(`${path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`).set(bearer(t.adminKey)).expect(200);
      ids.push(...res.body.items.map((item: Json) => item.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  }

  it.each([
    ['the same microsecond', `timestamptz '2026-01-05 10:00:00.123456'`],
    ['microseconds apart in one millisecond', `timestamptz '2026-01-05 10:00:00.123' + (r.n * interval '1 microsecond')`],
  ])('lists every foyer once when they were created at %s', async (_name, createdAt) => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await makeFoyer(t)).id);
    await t.dataSource.query(
      `UPDATE foyers SET created_at = ${createdAt} FROM (SELECT id AS rid, row_number() OVER (ORDER BY id) AS n FROM foyers WHERE id = ANY($1::uuid[])) r WHERE id = r.rid`,
      [created],
    );
    const listed = (await everyPage('/v1/foyers')).filter((id) => created.includes(id));
    expect(listed).toHaveLength(5);
    expect([...listed].sort()).toEqual([...created].sort());
  });

  it('lists every person once when they were created in the same microsecond', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: `Personne ${i}`, email: `page${i}@foyer.test`, role: 'admin' }).expect(201);
      created.push(res.body.id);
    }
    await t.dataSource.query(`UPDATE people SET created_at = timestamptz '2026-01-05 10:00:00.654321' WHERE id = ANY($1::uuid[])`, [created]);
    const listed = (await everyPage('/v1/people')).filter((id) => created.includes(id));
    expect([...listed].sort()).toEqual([...created].sort());
    expect(listed).toHaveLength(5);
  });
});
