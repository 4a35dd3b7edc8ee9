import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { bearer, buildConsole, cspRefusals, expectNoSeriousA11yViolations, makeClient, makeFoyer, makeYouth, signInByEmail, SmtpCatcher, startTestApp, TestApp, useBrowser } from '@vigie/testing';

type Json = Record<string, any>;

/**
 * A child-protection person reads the statistics page of département 75 for March 2025: the
 * page's tables hold the numbers `GET /v1/stats` answers for the same query, the bar chart has one
 * bar per week, the CSV it downloads has the same numbers, and the page passes axe. A police
 * person reads the same page without what interviews revealed. The episodes,
 * interviews and alerts are seeded row by row at explicit instants (the API runs without a
 * worker: nothing triages or sweeps them), so the figures are the same at any hour, date or zone.
 *
 * | episode | youth (born)      | noticed (UTC)  | level    | foyer  |
 * |---------|-------------------|----------------|----------|--------|
 * | E1      | Y1 (2012-03-15) F | 03-02 10:00    | routine  | Essais |
 * | E2      | Y1                | 03-10 10:00    | worrying | Essais |
 * | E3      | Y1                | 03-20 10:00    | worrying | Essais | (third in 30 days; Y1 is 13 from 03-15)
 * | E4      | Y2 (2010-01-01) M | 03-05 08:00    | routine  | Lilas  |
 * | E5      | Y3 (2006-06-01) X | 03-25 00:00    | (none)   | Essais |
 *
 * Weeks (Europe/Paris): W09 E1; W10 E4; W11 E2; W12 E3; W13 E5; W14 none → 6 bars.
 */
describe('the statistics page', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let built: Awaited<ReturnType<typeof buildConsole>>;
  const browser = useBrowser(() => t.url);

  beforeAll(async () => {
    built = await buildConsole('statistics');
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ worker: false, ownPublicUrl: true, env: { SMTP_URL: smtp.url, VIGIE_CONSOLE_DIR: built.consoleDir } });
    await seed(t);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    built?.remove();
  });

  browser.test(
    'shows the figures of GET /v1/stats in its tables and chart, and downloads them as CSV',
    async (page) => {
      const refused = cspRefusals(page);
      const email = 'protection.testnom@departement.test';
      await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Protection Testnom', email, role: 'child_protection', departmentCodes: ['75'] }).expect(201);
      await signInByEmail(page, smtp, email);

      // From the navigation, then the département and the period.
      await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Statistiques' }).click();
      await page.getByRole('heading', { level: 1, name: 'Statistiques' }).waitFor();
      await page.getByLabel('Département', { exact: true }).selectOption('75');
      await page.getByLabel('Du', { exact: true }).fill('2025-03-01');
      await page.getByLabel('Au (inclus)').fill('2025-03-31');
      await page.getByRole('button', { name: 'Afficher' }).click();
      await page.waitForURL('**/statistiques?departement=75&du=2025-03-01&au=2025-03-31');
      await page.locator('#tableau-semaines tbody tr').first().waitFor();

      // The same query through the API, with the page's own session.
      const api = await fetchJson(page, '/v1/stats?departmentCode=75&from=2025-03-01&to=2025-04-01');
      expect(api.status).toBe(200);
      const stats = api.body;
      expect(stats.episodes.total).toBe(5);
      expect(stats.weeks).toHaveLength(6);

      // Weekly table and chart.
      const weeks = await page.locator('#tableau-semaines tbody tr').evaluateAll((rows) =>
        rows.map((r) => ({ week: r.getAttribute('data-week'), cells: [...r.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value'))) })),
      );
      expect(weeks).toEqual(stats.weeks.map((w: Json) => ({ week: w.week, cells: [w.episodes, w.worrying] })));
      expect(weeks.map((w) => w.cells[0])).toEqual([1, 1, 1, 1, 1, 0]);
      // The test's tsconfig has no DOM types: the canvas is read through the few members used.
      type Canvas = { width: number; height: number; dataset: Record<string, string>; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const chart = await page.locator('#graphique-semaines').evaluate((element) => {
        const canvas = element as unknown as Canvas;
        const ctx = canvas.getContext('2d');
        const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
        return { bars: Number(canvas.dataset.bars), values: canvas.dataset.values, width: canvas.width, painted };
      });
      expect(chart.bars).toBe(stats.weeks.length);
      expect(chart.values).toBe(stats.weeks.map((w: Json) => w.episodes).join(','));
      expect(chart.width).toBeGreaterThan(0);
      expect(chart.painted).toBeGreaterThan(0);

      // Key figures and return interviews: each row's number is the API's.
      const figures = Object.fromEntries(
        await page.locator('tr[data-figure]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-figure'), r.querySelector('td')!.getAttribute('data-value')])),
      );
      const expected: Record<string, number | null> = {
        total: stats.episodes.total,
        shareWorrying: stats.episodes.shareWorrying,
        medianDurationSeconds: stats.episodes.medianDurationSeconds,
        alertsOpened: stats.alerts.opened,
        alertsAcknowledged: stats.alerts.acknowledged,
        medianSecondsToAcknowledge: stats.alerts.medianSecondsToAcknowledge,
        p90SecondsToAcknowledge: stats.alerts.p90SecondsToAcknowledge,
        shareCompletedOnTime: stats.returnInterviews.shareCompletedOnTime,
        youthsWithRepeatedFugues: stats.youthsWithRepeatedFugues,
        withDisclosure: stats.disclosures.withDisclosure,
        prosecutorReferrals: stats.disclosures.prosecutorReferrals,
        due: stats.returnInterviews.due,
        completedOnTime: stats.returnInterviews.completedOnTime,
        completedLate: stats.returnInterviews.completedLate,
        declined: stats.returnInterviews.declined,
        notHeld: stats.returnInterviews.notHeld,
        overdue: stats.returnInterviews.overdue,
        sexualExploitation: stats.disclosures.sexualExploitation,
        violence: stats.disclosures.violence,
        sexualViolence: stats.disclosures.sexualViolence,
      };
      expect(figures).toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v === null ? '' : String(v)])));
      expect(stats).toMatchObject({ youthsWithRepeatedFugues: 1, alerts: { opened: 2, acknowledged: 2, medianSecondsToAcknowledge: 1200, p90SecondsToAcknowledge: 1680 } });
      expect(await page.locator('tr[data-figure="shareWorrying"] td').textContent()).toMatch(/^40\s%$/);

      // Breakdowns.
      const breakdown = async (id: string) =>
        page.locator(`#${id} tbody tr`).evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-key'), ...[...r.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value')))]));
      const asRows = (groups: Json[], key = 'key') => groups.map((g) => [g[key], g.episodes, g.worrying]);
      expect(await breakdown('tableau-ages')).toEqual(asRows(stats.breakdown.ageBands));
      expect(await breakdown('tableau-sexes')).toEqual(asRows(stats.breakdown.sexes));
      expect(await breakdown('tableau-foyers')).toEqual(asRows(stats.breakdown.foyers, 'foyerId'));
      expect(asRows(stats.breakdown.ageBands)).toEqual([
        ['under_13', 2, 1],
        ['13_14', 1, 1],
        ['15_17', 1, 0],
        ['18_plus', 1, 0],
        ['unknown', 0, 0],
      ]);

      await expectNoSeriousA11yViolations(page);

      // The CSV: downloaded by the button, the same numbers.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger les chiffres (CSV)' }).click()]);
      expect(download.suggestedFilename()).toBe('vigie-statistiques-75-2025-03-01-2025-04-01.csv');
      const rows = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
      expect(rows[0]).toBe('section,item,measure,value');
      const csv = new Map(rows.slice(1).map((row) => {
        const [section, item, measure, value] = row.split(',');
        return [`${section}/${item}/${measure}`, value];
      }));
      for (const w of stats.weeks) {
        expect(csv.get(`weeks/${w.week}/episodes`)).toBe(String(w.episodes));
        expect(csv.get(`weeks/${w.week}/worrying`)).toBe(String(w.worrying));
      }
      for (const [field, value] of Object.entries(stats.episodes)) expect(csv.get(`episodes//${field}`)).toBe(value === null ? '' : String(value));
      for (const [field, value] of Object.entries(stats.alerts)) expect(csv.get(`alerts//${field}`)).toBe(value === null ? '' : String(value));
      for (const [field, value] of Object.entries(stats.returnInterviews)) expect(csv.get(`returnInterviews//${field}`)).toBe(value === null ? '' : String(value));
      for (const [field, value] of Object.entries(stats.disclosures)) expect(csv.get(`disclosures//${field}`)).toBe(String(value));
      for (const band of stats.breakdown.ageBands) expect(csv.get(`ageBands/${band.key}/episodes`)).toBe(String(band.episodes));
      expect(csv.get('repeatRunaways//youthsWithRepeatedFugues')).toBe(String(stats.youthsWithRepeatedFugues));

      expect(refused).toEqual([]);
    },
    120_000,
  );

  browser.test(
    'shows police the counts without what interviews revealed',
    async (page) => {
      const email = 'police.testnom@departement.test';
      await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Police Testnom', email, role: 'police', departmentCodes: ['75'] }).expect(201);
      await signInByEmail(page, smtp, email, '/statistiques?departement=75&du=2025-03-01&au=2025-03-31');
      await page.locator('#tableau-semaines tbody tr').first().waitFor();
      const stats = (await fetchJson(page, '/v1/stats?departmentCode=75&from=2025-03-01&to=2025-04-01')).body;
      expect(stats.disclosures).toBeNull();
      expect(await page.locator('tr[data-figure="total"] td').getAttribute('data-value')).toBe(String(stats.episodes.total));
      expect(await page.locator('tr[data-figure="shareCompletedOnTime"] td').getAttribute('data-value')).toBe(String(stats.returnInterviews.shareCompletedOnTime));
      for (const hidden of ['withDisclosure', 'prosecutorReferrals', 'sexualExploitation', 'violence', 'sexualViolence']) {
        expect(await page.locator(`tr[data-figure="${hidden}"]`).count()).toBe(0);
      }
      await page.getByText('Le contenu des entretiens (révélations, signalements) n’est pas visible pour votre rôle.').waitFor();
      await expectNoSeriousA11yViolations(page);
    },
    60_000,
  );
});

/** `fetch` from the page itself: same origin, the browser's own cookies. */
async function fetchJson(page: Page, path: string): Promise<{ status: number; body: Json }> {
  return page.evaluate(async (p) => {
    const res = await fetch(p, { credentials: 'same-origin' });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }, path);
}

async function seed(t: TestApp): Promise<void> {
  const q = (sql: string, params: unknown[]) => t.dataSource.query(sql, params) as Promise<{ id: string }[]>;
  const essais = await makeFoyer(t, { name: 'Foyer Les Essais', departmentCode: '75' });
  const lilas = await makeFoyer(t, { name: 'Foyer des Lilas', departmentCode: '75' });
  const foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [essais.id, lilas.id] })).key;
  const y1 = (await makeYouth(t, foyerKey, essais.id, { birthDate: '2012-03-15', sex: 'F' })).id;
  const y2 = (await makeYouth(t, foyerKey, lilas.id, { birthDate: '2010-01-01', sex: 'M' })).id;
  const y3 = (await makeYouth(t, foyerKey, essais.id, { birthDate: '2006-06-01', sex: 'X' })).id;

  const episode = async (youthId: string, foyerId: string, e: { t0: string; status: string; level: string | null; returnedAt?: string; endedAt?: string }) =>
    (
      await q(
        `INSERT INTO fugues (youth_id, foyer_id, department_code, status, noticed_missing_at, returned_at, ended_at, effective_level)
         VALUES ($1, $2, '75', $3, $4, $5, $6, $7) RETURNING id`,
        [youthId, foyerId, e.status, e.t0, e.returnedAt ?? null, e.endedAt ?? null, e.level],
      )
    )[0].id;
  const e1 = await episode(y1, essais.id, { t0: '2025-03-02T10:00:00Z', returnedAt: '2025-03-02T16:00:00Z', endedAt: '2025-03-06T00:00:00Z', status: 'closed', level: 'routine' });
  const e2 = await episode(y1, essais.id, { t0: '2025-03-10T10:00:00Z', returnedAt: '2025-03-11T10:00:00Z', status: 'returned', level: 'worrying' });
  const e3 = await episode(y1, essais.id, { t0: '2025-03-20T10:00:00Z', status: 'missing', level: 'worrying' });
  await episode(y2, lilas.id, { t0: '2025-03-05T08:00:00Z', returnedAt: '2025-03-05T20:00:00Z', endedAt: '2025-03-08T00:00:00Z', status: 'closed', level: 'routine' });
  await episode(y3, essais.id, { t0: '2025-03-25T00:00:00Z', status: 'missing', level: null });

  await q(
    `INSERT INTO return_interviews (fugue_id, youth_id, department_code, foyer_id, status, returned_at, due_at, reminder_due_at, conducted_at, recorded_at,
                                    disclosed_violence, referrals)
     VALUES ($1, $2, '75', $3, 'completed', '2025-03-02T16:00:00Z', '2025-03-05T16:00:00Z', '2025-03-04T16:00:00Z', '2025-03-04T10:00:00Z', '2025-03-04T10:00:00Z', true, '{SIGNALEMENT_PROCUREUR}'),
            ($4, $2, '75', $3, 'scheduled', '2025-03-11T10:00:00Z', '2025-03-14T10:00:00Z', '2025-03-13T10:00:00Z', NULL, NULL, false, '{}')`,
    [e1, y1, essais.id, e2],
  );
  await q(
    `INSERT INTO alerts (fugue_id, department_code, foyer_id, state, policy, opened_at, acknowledged_at)
     VALUES ($1, '75', $3, 'acknowledged', '{}'::jsonb, '2025-03-10T10:05:00Z', '2025-03-10T10:15:00Z'),
            ($2, '75', $3, 'acknowledged', '{}'::jsonb, '2025-03-20T10:05:00Z', '2025-03-20T10:35:00Z')`,
    [e2, e3, essais.id],
  );
}
