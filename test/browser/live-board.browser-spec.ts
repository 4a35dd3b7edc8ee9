import type { Page } from 'playwright-core';
import {
  bearer,
  buildConsole,
  cspRefusals,
  declareFugue,
  expectNoSeriousA11yViolations,
  makeClient,
  makeFoyer,
  makeYouth,
  signInByEmail,
  SmtpCatcher,
  startTestApp,
  TestApp,
  testNow,
  useBrowser,
  waitFor,
} from '@vigie/testing';
import { LiveEventHub } from '../../apps/api/src/stream/live-event.hub';

const HOUR = 3600_000;

/** The episode ids of a board table, top to bottom. */
function rowsOf(page: Page, table: string): Promise<(string | null)[]> {
  return page.locator(`#tableau-${table} tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-fugue-id')));
}

/** Marks the page's document: the mark is gone after any reload or navigation. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((globalThis as Record<string, unknown>).vigieTestMark = true));
}
async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as Record<string, unknown>).vigieTestMark === true);
}

/**
 * The referents' live board and the live episode page. Four episodes of département 75, one of
 * 93, triaged and escalated by the worker (the team's worry makes three worrying):
 *
 * | youth        | missing for | level    | alert at the start |
 * |--------------|-------------|----------|--------------------|
 * | Testalpha    | 3 h         | worrying | acknowledged       |
 * | Testbravo    | 1 h         | worrying | open               |
 * | Testcharlie  | 2 h         | worrying | open               |
 * | Testdelta    | 5 h         | routine  | none               |
 * | Testecho(93) | 1 h         | worrying | open               |
 */
describe('the live board and the live episode page', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let built: Awaited<ReturnType<typeof buildConsole>>;
  const browser = useBrowser(() => t.url);

  let foyer: { id: string };
  let police: { key: string };
  const fugues: Record<'alpha' | 'bravo' | 'charlie' | 'delta' | 'echo', string> = { alpha: '', bravo: '', charlie: '', delta: '', echo: '' };
  const alerts: Record<string, string> = {};

  const acknowledge = async (fugueId: string) => {
    await t.http.post(`/v1/alerts/${alerts[fugueId]}/acknowledge`).set(bearer(police.key)).send({}).expect(200);
  };

  beforeAll(async () => {
    built = await buildConsole('live-board');
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ ownPublicUrl: true, env: { SMTP_URL: smtp.url, VIGIE_CONSOLE_DIR: built.consoleDir } });

    foyer = await makeFoyer(t, { departmentCode: '75', name: 'Foyer Testlilas' });
    const other = await makeFoyer(t, { departmentCode: '93', name: 'Foyer Testailleurs' });
    const foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id, other.id] })).key;
    police = await makeClient(t, { role: 'police', departmentCodes: ['75', '93'] });
    const declare = async (firstName: string, foyerId: string, hoursAgo: number, worrying: boolean) => {
      const youth = await makeYouth(t, foyerKey, foyerId, { firstName, lastName: 'Testnom' });
      const noticedMissingAt = new Date(testNow().getTime() - hoursAgo * HOUR).toISOString();
      return (await declareFugue(t, foyerKey, youth.id, { noticedMissingAt, ...(worrying ? { staffConcern: { worrying: true } } : {}) })).id;
    };
    fugues.alpha = await declare('Testalpha', foyer.id, 3, true);
    fugues.bravo = await declare('Testbravo', foyer.id, 1, true);
    fugues.charlie = await declare('Testcharlie', foyer.id, 2, true);
    fugues.delta = await declare('Testdelta', foyer.id, 5, false);
    fugues.echo = await declare('Testecho', other.id, 1, true);

    await waitFor(
      async () => {
        const open = (await t.http.get('/v1/alerts?state=open').set(bearer(police.key)).expect(200)).body.items as { id: string; fugueId: string }[];
        for (const a of open) alerts[a.fugueId] = a.id;
        return [fugues.alpha, fugues.bravo, fugues.charlie, fugues.echo].every((id) => alerts[id]);
      },
      { timeoutMs: 20000, what: 'the alerts of the worrying episodes' },
    );
    await waitFor(async () => (await t.http.get(`/v1/fugues/${fugues.delta}`).set(bearer(police.key)).expect(200)).body.effectiveLevel === 'routine', {
      what: 'the routine triage',
    });
    await acknowledge(fugues.alpha);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    built?.remove();
  });

  browser.test('shows a police person the open episodes of the département, urgent first, and follows an acknowledgement live', async (page) => {
    const refused = cspRefusals(page);
    const email = 'police.testnom@police.test';
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Police Testnom', email, role: 'police', departmentCodes: ['75'] }).expect(201);
    await signInByEmail(page, smtp, email);

    // The board is a police person's home page.
    await page.getByRole('heading', { level: 1, name: 'Fugues en cours' }).waitFor();
    await page.getByText('Mise à jour en direct.').waitFor();
    expect(await rowsOf(page, 'preoccupantes')).toEqual([fugues.charlie, fugues.bravo, fugues.alpha]);
    expect(await rowsOf(page, 'courantes')).toEqual([fugues.delta]);
    expect(await page.getByRole('main').textContent()).not.toContain('Testecho');

    const charlie = page.locator(`tr[data-fugue-id="${fugues.charlie}"]`);
    expect(await charlie.locator('th').textContent()).toBe('Testcharlie T.');
    const [age, foyerName, missingFor, level, alert] = (await charlie.locator('td').allTextContents()).map((text) => text.trim());
    expect({ age, foyerName, level, alert }).toEqual({ age: '16 ans', foyerName: 'Foyer Testlilas', level: 'Préoccupante', alert: 'Non prise en compte' });
    // Declared as missing since two hours, a few seconds or minutes ago.
    expect(missingFor).toMatch(/^2 h( 0\d)?$/);
    expect(await page.locator(`tr[data-fugue-id="${fugues.alpha}"] td`).last().textContent()).toBe('Prise en compte');
    expect(await charlie.getByRole('link', { name: 'Testcharlie T.' }).getAttribute('href')).toBe(`/episodes/${fugues.charlie}`);
    await expectNoSeriousA11yViolations(page);

    // Acknowledged through the API: the board follows without being reloaded.
    await markDocument(page);
    await acknowledge(fugues.charlie);
    await waitFor(async () => (await charlie.locator('td').last().textContent()) === 'Prise en compte', { what: 'the acknowledgement on the board' });
    expect(await rowsOf(page, 'preoccupantes')).toEqual([fugues.bravo, fugues.alpha, fugues.charlie]);
    await page.getByRole('status').filter({ hasText: 'Tableau mis à jour' }).waitFor({ state: 'attached' });
    expect(await page.getByRole('status').filter({ hasText: 'Tableau mis à jour' }).textContent()).toBe(
      'Tableau mis à jour : 4 fugues en cours, dont 3 préoccupantes ; 1 alerte non prise en compte.',
    );
    expect(await stillSameDocument(page)).toBe(true);

    await charlie.getByRole('link', { name: 'Testcharlie T.' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fugue de Testcharlie Testnom' }).waitFor();
    expect(refused).toEqual([]);
  });

  browser.test("shows the acknowledgement on a foyer person's episode page without a reload", async (page) => {
    const refused = cspRefusals(page);
    const email = 'educateur.testnom@foyer.test';
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Éducateur Testnom', email, role: 'foyer', foyerIds: [foyer.id] }).expect(201);
    await signInByEmail(page, smtp, email, `/episodes/${fugues.bravo}`);
    await page.getByRole('heading', { level: 1, name: 'Fugue de Testbravo Testnom' }).waitFor();
    const timeline = page.locator('ol.timeline');
    await timeline.getByText('Alerte ouverte').waitFor();
    expect(await timeline.textContent()).not.toContain('Alerte prise en compte');

    await markDocument(page);
    // The page's stream is open (the other tests' pages are closed): what is committed from now on is told to it.
    await waitFor(() => t.app.get(LiveEventHub).connections === 1, { what: "the episode page's stream" });
    await acknowledge(fugues.bravo);
    await timeline.getByText('Alerte prise en compte').waitFor();
    expect(await stillSameDocument(page)).toBe(true);
    expect(refused).toEqual([]);
  });

  browser.test('shows the hotline the worrying episodes only, without the foyers it does not read', async (page) => {
    const refused = cspRefusals(page);
    const email = 'ecoute.testnom@116000.test';
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Écoute Testnom', email, role: 'hotline', departmentCodes: ['75'] }).expect(201);
    await signInByEmail(page, smtp, email);
    await page.getByRole('heading', { level: 1, name: 'Fugues en cours' }).waitFor();
    await page.locator('#tableau-preoccupantes tbody tr').first().waitFor();
    expect((await rowsOf(page, 'preoccupantes')).sort()).toEqual([fugues.alpha, fugues.bravo, fugues.charlie].sort());
    expect(await page.locator('#tableau-courantes').count()).toBe(0);
    expect(await page.getByRole('main').textContent()).not.toContain('Foyer Testlilas');
    // The hotline lists no youths: the menu offers the board, not the youth list.
    const menu = page.getByRole('navigation', { name: 'Menu principal' });
    expect(await menu.getByRole('link', { name: 'Tableau' }).count()).toBe(1);
    expect(await menu.getByRole('link', { name: 'Jeunes' }).count()).toBe(0);
    await expectNoSeriousA11yViolations(page);
    expect(refused).toEqual([]);
  });

  browser.test('reads the board again every 30 seconds in a browser without EventSource', async (page) => {
    const refused = cspRefusals(page);
    await page.addInitScript(() => delete (globalThis as Record<string, unknown>).EventSource);
    await page.clock.install();
    const email = 'police93.testnom@police.test';
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Police Testnom', email, role: 'police', departmentCodes: ['93'] }).expect(201);
    await signInByEmail(page, smtp, email);
    await page.getByText('Mise à jour toutes les 30 secondes.').waitFor();
    const echo = page.locator(`tr[data-fugue-id="${fugues.echo}"] td`).last();
    expect(await echo.textContent()).toBe('Non prise en compte');

    await markDocument(page);
    await acknowledge(fugues.echo);
    await page.clock.fastForward(29_000);
    expect(await echo.textContent()).toBe('Non prise en compte');
    await page.clock.fastForward(2_000);
    await waitFor(async () => (await echo.textContent()) === 'Prise en compte', { what: 'the board read again' });
    expect(await stillSameDocument(page)).toBe(true);
    expect(refused).toEqual([]);
  });
});
