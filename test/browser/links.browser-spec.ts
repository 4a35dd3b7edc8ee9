import type { Page } from 'playwright-core';
import { bearer, birthDateForAge, buildConsole, cspRefusals, daytimeAtOrBefore, expectNoSeriousA11yViolations, makeFoyer, openPage, signInByEmail, SmtpCatcher, startTestApp, TestApp, testNow, useBrowser, waitFor } from '@vigie/testing';

type Json = Record<string, any>;
const MINUTE = 60_000;

/** Waits for the page to show `text` somewhere in its main landmark. */
async function sees(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('main').getByText(text).first().waitFor();
}

/** The value of an <input type="datetime-local"> for this instant in Paris. */
function parisInput(at: Date): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** The Paris calendar date of an instant, YYYY-MM-DD. */
function parisDay(at: Date): string {
  return parisInput(at).slice(0, 10);
}

/**
 * Links between episodes in the console (spec/links.md): a foyer person declares a fugue naming
 * a companion of the foyer and a vehicle plate (a malformed plate first, refused at its field);
 * a second youth's declaration names the same plate; the episode page says « Même véhicule » with
 * a link to the other episode; a foyer of another département, whose own episode has the same
 * plate, reads the reason without the link; the youth's history shows the links; a 116 000
 * listener finds an episode by first name with the lookup form and reaches its page, and passes a
 * call on to a routine one; the statistics page shows the links by reason and the foyer's
 * cluster. Every page passes axe, and the console's CSP refuses nothing.
 */
describe('links between episodes in the console', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let built: Awaited<ReturnType<typeof buildConsole>>;
  const browser = useBrowser(() => t.url);

  beforeAll(async () => {
    built = await buildConsole('links');
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ ownPublicUrl: true, env: { SMTP_URL: smtp.url, VIGIE_CONSOLE_DIR: built.consoleDir, VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS: '1000' } });
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    built?.remove();
  });

  browser.test(
    'declares with a companion and a plate, follows the links, looks an episode up and counts the links',
    async (foyerPage) => {
      const admin = bearer(t.adminKey);
      const linksOf = async (id: string) => (await t.http.get(`/v1/fugues/${id}/links`).set(admin).expect(200)).body.items as Json[];
      const foyerA = await makeFoyer(t, { name: 'Foyer Les Essais', departmentCode: '75' });
      const foyer92 = await makeFoyer(t, { name: 'Foyer Les Tests', departmentCode: '92' });
      const youth = async (foyerId: string, firstName: string) =>
        (
          (
            await t.http
              .post('/v1/youths')
              .set(admin)
              .send({ foyerId, firstName, lastName: 'Testnom', birthDate: birthDateForAge(16), sex: 'F' })
              .expect(201)
          ).body as { id: string }
        ).id;
      const zelie = await youth(foyerA.id, 'Testzelie');
      const maya = await youth(foyerA.id, 'Testmaya');
      const ines = await youth(foyerA.id, 'Testines');
      const lina = await youth(foyerA.id, 'Testlina');
      const other = await youth(foyer92.id, 'Testnoa');
      const people = {
        foyerA: { displayName: 'Éducatrice Testnom', email: 'educatrice.testnom@foyer.test', role: 'foyer', foyerIds: [foyerA.id] },
        foyerB: { displayName: 'Éducateur Testnom', email: 'educateur.testnom@foyer92.test', role: 'foyer', foyerIds: [foyer92.id] },
        hotline: { displayName: 'Écoutante Testnom', email: 'ecoutante.testnom@116000.test', role: 'hotline', departmentCodes: ['75'] },
        protection: { displayName: 'Référente Testnom', email: 'referente.testnom@departement.test', role: 'child_protection', departmentCodes: ['75'] },
      };
      for (const person of Object.values(people)) await t.http.post('/v1/people').set(admin).send(person).expect(201);
      // Before the walk, the youth of the foyer of the other département has left in the same car.
      const otherFugue = (await t.http.post('/v1/fugues').set(admin).send({ youthId: other, noticedMissingAt: new Date(testNow().getTime() - 10 * MINUTE).toISOString(), connections: { vehicles: [{ plate: 'ab 123 cd' }] } }).expect(201))
        .body.id as string;

      // The foyer declares Testzelie's fugue: the team is worried, she left with Testines in a car.
      const refused = cspRefusals(foyerPage);
      await signInByEmail(foyerPage, smtp, people.foyerA.email, `/youths/${zelie}/declare`);
      await foyerPage.getByRole('heading', { level: 1, name: 'Déclarer la fugue de Testzelie Testnom' }).waitFor();
      await foyerPage.getByLabel('Oui, l’équipe est inquiète').check();
      const companions = foyerPage.getByRole('group', { name: 'Compagnons de fugue' });
      await companions.getByRole('button', { name: 'Ajouter un compagnon' }).click();
      const companion = companions.getByRole('group', { name: 'Compagnon 1' });
      await companion.getByLabel('Un jeune du foyer').selectOption({ label: 'Testines Testnom' });
      await companion.getByLabel('Âge approximatif (facultatif)').fill('16');
      const vehicles = foyerPage.getByRole('group', { name: 'Véhicules' });
      await vehicles.getByRole('button', { name: 'Ajouter un véhicule' }).click();
      const plate = vehicles.getByRole('group', { name: 'Véhicule 1' }).getByLabel('Plaque d’immatriculation');
      // The new row's first field has the focus.
      expect(await foyerPage.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe(await plate.getAttribute('id'));
      await plate.fill('AB#123');
      await vehicles.getByRole('group', { name: 'Véhicule 1' }).getByLabel('Description (marque, couleur…)').fill('Clio grise');
      // A place added then removed is not sent.
      const places = foyerPage.getByRole('group', { name: 'Lieux' });
      await places.getByRole('button', { name: 'Ajouter un lieu' }).click();
      await places.getByRole('button', { name: 'Retirer le lieu 1' }).click();
      expect(await places.getByRole('group', { name: 'Lieu 1' }).count()).toBe(0);
      await expectNoSeriousA11yViolations(foyerPage);

      // The API refuses the plate: the refusal is shown at its field, and nothing is declared.
      await foyerPage.getByRole('button', { name: 'Déclarer la fugue' }).click();
      await vehicles.getByText(/^Refusé : plaque non reconnue/).waitFor();
      await foyerPage.getByRole('alert').getByText(/corrigez les champs signalés/).waitFor();
      expect(await plate.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await plate.getAttribute('aria-describedby')) ?? '';
      expect(await foyerPage.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent()).toMatch(/^Refusé : plaque non reconnue/);
      await expectNoSeriousA11yViolations(foyerPage);
      expect((await t.http.get(`/v1/fugues?youthId=${zelie}`).set(admin).expect(200)).body.items).toEqual([]);

      await plate.fill('AB-123-CD');
      await foyerPage.getByRole('button', { name: 'Déclarer la fugue' }).click();
      await foyerPage.getByRole('heading', { level: 1, name: 'Fugue de Testzelie Testnom déclarée' }).waitFor();
      const zelieFugue = (await t.http.get(`/v1/fugues?youthId=${zelie}`).set(admin).expect(200)).body.items[0].id as string;
      const stored = (await t.http.get(`/v1/fugues/${zelieFugue}`).set(admin).expect(200)).body;
      expect(stored.connections).toEqual({
        companions: [{ youthId: ines, outsideScope: false, alias: null, approximateAge: 16 }],
        vehicles: [{ plate: 'AB123CD', description: 'Clio grise' }],
        places: [],
      });

      // Testmaya's declaration names the same plate (seen in the day, so that her fugue stays routine at any hour).
      await foyerPage.goto(`/youths/${maya}/declare`);
      await foyerPage.getByRole('heading', { level: 1, name: 'Déclarer la fugue de Testmaya Testnom' }).waitFor();
      await foyerPage.locator('#lastSeen').fill(parisInput(daytimeAtOrBefore(new Date(testNow().getTime() - 5 * MINUTE))));
      await foyerPage.getByLabel('Non, pas d’inquiétude particulière').check();
      await foyerPage.getByRole('button', { name: 'Ajouter un véhicule' }).click();
      await foyerPage.getByLabel('Plaque d’immatriculation').fill('ab-123-cd');
      await foyerPage.getByRole('button', { name: 'Déclarer la fugue' }).click();
      await foyerPage.getByRole('heading', { level: 1, name: 'Fugue de Testmaya Testnom déclarée' }).waitFor();
      const mayaFugue = (await t.http.get(`/v1/fugues?youthId=${maya}`).set(admin).expect(200)).body.items[0].id as string;
      // A third youth of the foyer in the same car: three youths of one foyer linked, a cluster.
      const linaFugue = (await t.http.post('/v1/fugues').set(admin).send({ youthId: lina, noticedMissingAt: new Date(testNow().getTime() - 2 * MINUTE).toISOString(), connections: { vehicles: [{ plate: 'AB123CD' }] } }).expect(201))
        .body.id as string;
      await waitFor(async () => (await linksOf(zelieFugue)).length === 3 && (await linksOf(mayaFugue)).length === 3 && (await linksOf(linaFugue)).length === 3, { what: 'the links of the four episodes' });
      await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM foyer_clusters WHERE foyer_id = $1`, [foyerA.id])).length === 1, { what: 'the foyer cluster' });
      await waitFor(async () => (await t.http.get(`/v1/fugues/${mayaFugue}`).set(admin).expect(200)).body.effectiveLevel === 'routine', { what: 'the triage of the second fugue' });

      // Testzelie's episode: « Même véhicule » with a link to each other episode of the foyer; the other département's only in words.
      await foyerPage.goto(`/episodes/${zelieFugue}`);
      await foyerPage.getByRole('heading', { level: 1, name: 'Fugue de Testzelie Testnom' }).waitFor();
      const links = foyerPage.getByRole('region', { name: 'Liens avec d’autres fugues' });
      await links.getByText('Même véhicule', { exact: true }).first().waitFor();
      expect(await links.getByRole('link', { name: 'voir l’autre fugue' }).count()).toBe(2);
      await links.getByText('Même véhicule qu’un autre épisode hors de votre périmètre.').waitFor();
      const connections = foyerPage.getByRole('region', { name: 'Compagnons, véhicules et lieux' });
      await connections.getByText('plaque AB-123-CD — Clio grise').waitFor();
      await connections.getByText(/^Un jeune suivi par Vigie/).waitFor();
      await foyerPage.getByRole('region', { name: 'Chronologie' }).getByText('Lien avec un autre épisode').first().waitFor();
      await expectNoSeriousA11yViolations(foyerPage);

      // A place told in an update shows among the episode's connections.
      await foyerPage.getByRole('button', { name: 'Ajouter une information ou un signalement' }).click();
      const update = foyerPage.getByRole('form', { name: 'Ajouter une information ou un signalement' });
      await update.getByRole('button', { name: 'Ajouter un lieu' }).click();
      const place = update.getByRole('group', { name: 'Lieu 1' });
      await place.getByLabel('Type de lieu *').selectOption({ label: 'Hôtel' });
      await place.getByLabel('Code commune INSEE (facultatif)').fill('75056');
      await place.getByLabel('Adresse ou nom du lieu (facultatif)').fill('Hôtel des Essais, rue de Test');
      await expectNoSeriousA11yViolations(foyerPage);
      await update.getByRole('button', { name: 'Enregistrer' }).click();
      await foyerPage.getByRole('status').getByText(/^Information enregistrée/).waitFor();
      await connections.getByText('Hôtel, Hôtel des Essais, rue de Test, commune 75056').waitFor();

      // The link leads to Testmaya's episode, which links back.
      await links.getByRole('link', { name: 'voir l’autre fugue' }).first().click();
      await foyerPage.getByRole('heading', { level: 1, name: /^Fugue de Test(maya|lina) Testnom$/ }).waitFor();
      await foyerPage.getByRole('region', { name: 'Liens avec d’autres fugues' }).getByRole('link', { name: 'voir l’autre fugue' }).first().waitFor();

      // The youth's history shows each episode's links.
      await foyerPage.goto(`/youths/${zelie}/history`);
      await foyerPage.getByRole('heading', { level: 1, name: 'Historique des fugues de Testzelie Testnom' }).waitFor();
      await foyerPage.getByRole('region', { name: 'En bref' }).getByText('1 fugue liée à celles d’autres jeunes').waitFor();
      const row = foyerPage.locator(`tr[data-fugue-id="${zelieFugue}"]`);
      await row.getByText('Même véhicule qu’un autre épisode hors de votre périmètre.').waitFor();
      expect(await row.getByRole('link', { name: 'voir l’autre fugue' }).count()).toBe(2);
      await expectNoSeriousA11yViolations(foyerPage);

      // The foyer of the other département reads the reason of the link on its own episode, without a link.
      const foyerB = await openPage(browser.browser, t.url);
      const refusedB = cspRefusals(foyerB);
      await signInByEmail(foyerB, smtp, people.foyerB.email, `/episodes/${otherFugue}`);
      await foyerB.getByRole('heading', { level: 1, name: 'Fugue de Testnoa Testnom' }).waitFor();
      const linksB = foyerB.getByRole('region', { name: 'Liens avec d’autres fugues' });
      expect(await linksB.getByText('Même véhicule qu’un autre épisode hors de votre périmètre.').count()).toBe(3);
      expect(await linksB.getByRole('link').count()).toBe(0);
      expect(await foyerB.content()).not.toContain(zelieFugue);
      await expectNoSeriousA11yViolations(foyerB);

      // A 116 000 listener looks Testzelie up by first name from the board, and reaches her (worrying) episode.
      const hotline = await openPage(browser.browser, t.url);
      const refusedHotline = cspRefusals(hotline);
      await signInByEmail(hotline, smtp, people.hotline.email);
      await hotline.getByRole('heading', { level: 1, name: 'Fugues en cours' }).waitFor();
      const search = hotline.getByRole('form', { name: 'Rechercher une fugue en cours' });
      await search.getByRole('button', { name: 'Rechercher' }).click();
      await search.getByText('Refusé : indiquez au moins un critère').waitFor();
      await search.getByLabel('Prénom').fill('testzélie');
      await search.getByRole('button', { name: 'Rechercher' }).click();
      await hotline.getByRole('status').getByText('Une fugue en cours correspond.').waitFor();
      const result = hotline.locator(`#resultats-recherche tr[data-fugue-id="${zelieFugue}"]`);
      await result.getByText('Prénom en T.').waitFor();
      await result.getByRole('cell', { name: '16 ans', exact: true }).waitFor();
      await result.getByText('Préoccupante').waitFor();
      expect(await hotline.locator('#resultats-recherche').textContent()).not.toContain('Testzelie');
      expect(await hotline.getByText(/^Une fugue courante ne s’ouvre pas en entier/).count()).toBe(0);
      await expectNoSeriousA11yViolations(hotline);
      await result.getByRole('link', { name: 'Ouvrir la fugue (T., 16 ans)' }).click();
      await hotline.getByRole('heading', { level: 1, name: /^Fugue de / }).waitFor();
      expect(hotline.url()).toBe(`${t.url}/episodes/${zelieFugue}`);
      await hotline.getByRole('form', { name: 'Transmettre un appel du 116 000' }).waitFor();
      await expectNoSeriousA11yViolations(hotline);

      // From the menu, Testmaya's routine episode: the hotline may not open it, and passes a call on to it.
      await hotline.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Rechercher une fugue' }).click();
      await hotline.getByRole('heading', { level: 1, name: 'Rechercher une fugue' }).waitFor();
      await hotline.getByLabel('Prénom').fill('TESTMAYA');
      await hotline.getByLabel('Âge approximatif').fill('15');
      await hotline.getByRole('button', { name: 'Rechercher' }).click();
      await hotline.getByRole('status').getByText('Une fugue en cours correspond.').waitFor();
      await sees(hotline, /^Une fugue courante ne s’ouvre pas en entier pour le 116 000/);
      await expectNoSeriousA11yViolations(hotline);
      await hotline.getByRole('link', { name: 'Transmettre un appel (T., 16 ans)' }).click();
      await hotline.getByRole('heading', { level: 1, name: 'Transmettre un appel sur une fugue en cours' }).waitFor();
      await sees(hotline, /^Prénom en T\., 16 ans, département 75, fugue courante/);
      const call = hotline.getByRole('form', { name: 'Transmettre un appel du 116 000' });
      await call.getByLabel('Un témoin').check();
      await call.getByRole('button', { name: 'Ajouter un compagnon' }).click();
      await call.getByRole('group', { name: 'Compagnon 1' }).getByLabel('Prénom ou surnom').fill('Testsurnom');
      await expectNoSeriousA11yViolations(hotline);
      await call.getByRole('button', { name: 'Transmettre' }).click();
      await hotline.getByRole('status').getByText(/^Appel enregistré/).waitFor();
      const timeline = (await t.http.get(`/v1/fugues/${mayaFugue}/timeline`).set(admin).expect(200)).body.items as Json[];
      expect(timeline.filter((e) => e.type === 'hotline.call')).toHaveLength(1);
      expect((await t.http.get(`/v1/fugues/${mayaFugue}`).set(admin).expect(200)).body.connections.companions).toEqual([{ youthId: null, outsideScope: false, alias: 'Testsurnom', approximateAge: null }]);

      // Child protection reads the links by reason and the foyer's cluster on the statistics page.
      const protection = await openPage(browser.browser, t.url);
      const refusedProtection = cspRefusals(protection);
      const to = parisDay(testNow());
      const from = parisDay(new Date(testNow().getTime() - 24 * 60 * MINUTE));
      await signInByEmail(protection, smtp, people.protection.email, `/statistiques?departement=75&du=${from}&au=${to}`);
      await protection.getByRole('heading', { level: 1, name: 'Statistiques' }).waitFor();
      const section = protection.getByRole('region', { name: 'Liens' });
      const byReason = section.getByRole('table', { name: 'Liens trouvés dans la période, par raison' });
      await byReason.waitFor();
      const nextDay = new Date(Date.UTC(Number(to.slice(0, 4)), Number(to.slice(5, 7)) - 1, Number(to.slice(8, 10)) + 1)).toISOString().slice(0, 10);
      const stats = (await (await protection.request.get(`/v1/stats?departmentCode=75&from=${from}&to=${nextDay}`)).json()) as Json;
      const { links: counted, foyerClusters } = stats;
      expect(counted.SAME_VEHICLE).toBeGreaterThanOrEqual(3);
      const shown = await byReason.locator('tr[data-key]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-key'), Number(r.querySelector('td')?.getAttribute('data-value'))]));
      expect(Object.fromEntries(shown)).toEqual(counted);
      await byReason.getByRole('row', { name: /^Même véhicule/ }).waitFor();
      const clusters = section.getByRole('table', { name: /^Foyers où 3 jeunes ou plus sont liés/ });
      expect(foyerClusters).toEqual([expect.objectContaining({ foyerId: foyerA.id, youths: 3 })]);
      await clusters.getByRole('row', { name: /^Foyer Les Essais 75 3/ }).waitFor();
      await expectNoSeriousA11yViolations(protection);

      // The return names who she came back with; the interview, the flat where she stayed.
      await foyerPage.goto(`/episodes/${zelieFugue}`);
      await foyerPage.getByRole('heading', { level: 1, name: 'Fugue de Testzelie Testnom' }).waitFor();
      await foyerPage.getByRole('button', { name: 'Déclarer le retour' }).click();
      const back = foyerPage.getByRole('form', { name: 'Déclarer le retour' });
      await back.getByRole('button', { name: 'Ajouter un compagnon' }).click();
      await back.getByRole('group', { name: 'Compagnon 1' }).getByLabel('Ou un prénom, un surnom').fill('Testami');
      await expectNoSeriousA11yViolations(foyerPage);
      await back.getByRole('button', { name: 'Déclarer le retour' }).click();
      await foyerPage.getByRole('status').getByText(/^Retour déclaré/).waitFor();
      const interviewId = await waitFor(async () => (await t.http.get(`/v1/return-interviews?fugueId=${zelieFugue}`).set(admin).expect(200)).body.items[0]?.id as string | undefined, { what: 'the return interview' });
      expect(interviewId).toBeDefined();
      await foyerPage.goto(`/episodes/${zelieFugue}/interview`);
      await foyerPage.getByRole('heading', { level: 1, name: 'Entretien de retour de Testzelie Testnom' }).waitFor();
      await foyerPage.locator('#conductedBy').fill('Psychologue Testnom');
      await foyerPage.getByRole('group', { name: /extérieure à l’accompagnement quotidien/ }).getByLabel('Oui').check();
      const told = foyerPage.getByRole('group', { name: 'Lieux' });
      await told.getByRole('button', { name: 'Ajouter un lieu' }).click();
      await told.getByLabel('Type de lieu *').selectOption({ label: 'Location de courte durée' });
      await told.getByLabel('Code commune INSEE (facultatif)').fill('75000');
      await foyerPage.getByRole('button', { name: 'Enregistrer l’entretien' }).click();
      // A postal code is no commune code: refused at its field, then corrected.
      await told.getByText(/^Refusé : code commune INSEE attendu/).waitFor();
      await expectNoSeriousA11yViolations(foyerPage);
      await told.getByLabel('Code commune INSEE (facultatif)').fill('75056');
      await foyerPage.getByRole('button', { name: 'Enregistrer l’entretien' }).click();
      await sees(foyerPage, /^Mené, enregistré le/);
      const after = (await t.http.get(`/v1/fugues/${zelieFugue}`).set(admin).expect(200)).body;
      expect(after.connections.companions.map((c: Json) => c.alias)).toEqual([null, 'Testami']);
      expect(after.connections.places.map((p: Json) => [p.kind, p.communeCode])).toEqual([
        ['hotel', '75056'],
        ['short_let', '75056'],
      ]);

      expect([...refused, ...refusedB, ...refusedHotline, ...refusedProtection]).toEqual([]);
      for (const page of [foyerB, hotline, protection]) await page.context().close();
    },
    240_000,
  );
});
