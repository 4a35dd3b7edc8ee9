import type { Page } from 'playwright-core';
import {
  bearer,
  buildConsole,
  cspRefusals,
  declareFugue,
  expectNoSeriousA11yViolations,
  HttpReceiver,
  makeClient,
  makeFoyer,
  makeYouth,
  signInByEmail,
  SmtpCatcher,
  startTestApp,
  TestApp,
  useBrowser,
  waitFor,
} from '@vigie/testing';

type Json = Record<string, any>;

/** Waits for the page to show `text` somewhere in its main landmark. */
async function sees(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('main').getByText(text).first().waitFor();
}

/** Opens an administration page from the administration menu and waits for its heading. */
async function openAdmin(page: Page, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: title, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

/** The ids the input's aria-describedby names, and their texts. */
async function describedBy(page: Page, selector: string): Promise<string> {
  return page.locator(selector).evaluate((element) => {
    const ids = (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    const doc = element.ownerDocument;
    return ids.map((id: string) => doc.getElementById(id)?.textContent ?? `(missing #${id})`).join(' | ');
  });
}

/**
 * An administrator sets Vigie up from the console, without any API call of their own: creates a
 * person, changes a foyer's phone, adds a child-protection referent with an e-mail channel, builds
 * an escalation policy in its editor (step 0: child protection only; after 10 min: the police) and
 * saves it; the next worrying episode, declared through the API, follows it: its first step reaches
 * the child-protection referent only. Then an API key, shown once, is created and revoked, and the
 * audit log is read for that episode. Every administration page passes axe, and the CSP refuses
 * nothing.
 */
describe('the administration screens', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let receiver: HttpReceiver;
  let built: Awaited<ReturnType<typeof buildConsole>>;
  const browser = useBrowser(() => t.url);

  beforeAll(async () => {
    built = await buildConsole('admin');
    smtp = await SmtpCatcher.start();
    receiver = await HttpReceiver.start();
    t = await startTestApp({ ownPublicUrl: true, env: { SMTP_URL: smtp.url, VIGIE_CONSOLE_DIR: built.consoleDir } });
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await receiver?.close();
    built?.remove();
  });

  browser.test(
    'sets up people, a foyer, a referent and a policy that the next alert follows; a key shown once; the audit of an episode',
    async (page) => {
      const refused = cspRefusals(page);
      const foyer = await makeFoyer(t, { name: 'Foyer Les Essais', phone: '01 00 00 00 00' });
      // A police referent the first step must leave out.
      await t.http
        .post('/v1/referents')
        .set(bearer(t.adminKey))
        .send({ displayName: 'Commissariat Testnom', role: 'police', departmentCode: '75', channels: [{ type: 'email', address: 'police.testnom@commissariat.test' }] })
        .expect(201);
      const adminEmail = 'admin.testnom@vigie.test';
      await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Admin Testnom', email: adminEmail, role: 'admin' }).expect(201);
      await signInByEmail(page, smtp, adminEmail);

      // The administration section, from the main menu.
      await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Administration' }).click();
      await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      await expectNoSeriousA11yViolations(page);

      // People: a new foyer educator.
      await openAdmin(page, 'Personnes');
      await page.getByLabel('Nom affiché *').fill('Éducateur Testnom');
      await page.getByLabel('Adresse électronique *').fill('educateur.testnom@foyer.test');
      await page.getByLabel('Rôle *').selectOption('foyer');
      await page.getByLabel('Foyers *').selectOption(foyer.id);
      await page.getByRole('button', { name: 'Ajouter la personne' }).click();
      await sees(page, 'Éducateur Testnom a été ajouté(e)');
      const people = (await t.http.get('/v1/people').set(bearer(t.adminKey)).expect(200)).body.items as Json[];
      expect(people.find((p) => p.email === 'educateur.testnom@foyer.test')).toMatchObject({ displayName: 'Éducateur Testnom', role: 'foyer', foyerIds: [foyer.id] });
      await page.getByRole('main').getByText('educateur.testnom@foyer.test').waitFor();
      await expectNoSeriousA11yViolations(page);

      // Foyers: a phone the API refuses is shown at its field, then a good one is saved.
      await openAdmin(page, 'Foyers');
      await page.getByRole('button', { name: 'Modifier le foyer Foyer Les Essais' }).click();
      const phone = page.getByRole('textbox', { name: 'Téléphone' });
      await phone.fill('appelez-nous');
      await page.getByRole('button', { name: 'Enregistrer le foyer' }).click();
      await sees(page, 'Certaines informations n’ont pas été acceptées');
      const phoneId = await phone.getAttribute('id');
      expect(await phone.getAttribute('aria-invalid')).toBe('true');
      expect(await describedBy(page, `#${phoneId}`)).toMatch(/Refusé : numéro de téléphone non valide/);
      await expectNoSeriousA11yViolations(page);
      await phone.fill('+33 1 23 45 67 89');
      await page.getByRole('button', { name: 'Enregistrer le foyer' }).click();
      await sees(page, 'Le foyer Foyer Les Essais a été enregistré.');
      expect((await t.http.get(`/v1/foyers/${foyer.id}`).set(bearer(t.adminKey)).expect(200)).body.phone).toBe('+33 1 23 45 67 89');
      await sees(page, 'Téléphone : +33 1 23 45 67 89');
      await expectNoSeriousA11yViolations(page);

      // Referents: child protection, reached by e-mail.
      await openAdmin(page, 'Référents');
      await page.getByLabel('Département').selectOption('75');
      await page.getByRole('heading', { name: 'Ajouter un référent' }).waitFor();
      await page.getByLabel('Nom affiché *').fill('Protection Testnom');
      await page.getByLabel('Rôle *').selectOption('child_protection');
      await page.getByLabel('Canal 1', { exact: true }).selectOption('email');
      await page.getByLabel('Adresse électronique (canal 1)').fill('protection.testnom@departement.test');
      await page.getByRole('button', { name: 'Ajouter le référent' }).click();
      await sees(page, 'Le référent Protection Testnom a été ajouté.');
      await page.getByRole('button', { name: 'Modifier le référent Protection Testnom' }).waitFor();
      const referents = (await t.http.get('/v1/referents?departmentCode=75').set(bearer(t.adminKey)).expect(200)).body.items as Json[];
      const protection = referents.find((r) => r.displayName === 'Protection Testnom')!;
      const police = referents.find((r) => r.role === 'police')!;
      expect(protection).toMatchObject({ role: 'child_protection', channels: [{ type: 'email', address: 'protection.testnom@departement.test' }] });
      await expectNoSeriousA11yViolations(page);

      // The policy editor: the default's three steps, reshaped.
      await openAdmin(page, 'Politique d’escalade');
      await page.getByLabel('Département').selectOption('75');
      await sees(page, 'la politique par défaut s’applique');
      await page.getByRole('heading', { name: /^Étape 3/ }).waitFor();
      await expectNoSeriousA11yViolations(page);
      await page.getByRole('button', { name: 'Retirer l’étape 3' }).click();
      const step1 = page.getByRole('group', { name: 'Prévenir à l’étape 1' });
      await step1.getByLabel('Astreinte du foyer').uncheck();
      await step1.getByLabel('Police ou gendarmerie').uncheck();
      await page.getByRole('group', { name: 'Prévenir à l’étape 2' }).getByLabel('Astreinte départementale').uncheck();
      await page.getByLabel('Répéter la dernière étape toutes les (minutes)').fill('');
      await page.getByLabel('Nombre de répétitions au plus').fill('0');
      // A second step no later than the first is refused, on that field, with the API's rule.
      const delay2 = page.getByLabel('Délai de l’étape 2 (minutes après l’ouverture)');
      await delay2.fill('0');
      await page.getByRole('button', { name: 'Enregistrer la politique' }).click();
      await page.getByRole('heading', { name: 'La politique ne peut pas être enregistrée telle quelle' }).waitFor();
      expect(await delay2.getAttribute('aria-invalid')).toBe('true');
      expect(await describedBy(page, '#politique-worrying-steps-1-afterSeconds')).toMatch(/Refusé : Ce délai doit être plus long que celui de l’étape précédente/);
      await expectNoSeriousA11yViolations(page);
      await delay2.fill('10');
      await page.getByRole('heading', { name: 'Étape 2 : après 10 min' }).waitFor();
      // The roles with no referent and the foyers without duty, for the draft, before saving.
      await page.locator('#roles-sans-referent li').first().waitFor();
      expect(await page.locator('#roles-sans-referent li').evaluateAll((items) => items.map((li) => li.getAttribute('data-role')))).toEqual(['foyer_duty', 'prosecutor']);
      expect(await page.locator('#foyers-sans-astreinte li').evaluateAll((items) => items.map((li) => li.getAttribute('data-foyer')))).toEqual([foyer.id]);
      await page.getByRole('button', { name: 'Enregistrer la politique' }).click();
      await sees(page, 'La politique a été enregistrée.');
      const inForce = (await t.http.get('/v1/departments/75/escalation-policy').set(bearer(t.adminKey)).expect(200)).body;
      expect(inForce).toMatchObject({
        isDefault: false,
        policy: { worrying: { steps: [{ afterSeconds: 0, notify: ['child_protection'] }, { afterSeconds: 600, notify: ['police'] }], repeatLastStepEverySeconds: null, maxRepeats: 0 } },
      });
      // Once saved, the page shows what the API says of the policy in force.
      expect(await page.locator('#roles-sans-referent li').evaluateAll((items) => items.map((li) => li.getAttribute('data-role')))).toEqual(inForce.uncoveredRoles);
      expect(await page.locator('#foyers-sans-astreinte li').evaluateAll((items) => items.map((li) => li.getAttribute('data-foyer')))).toEqual(inForce.foyersWithoutDuty);
      await expectNoSeriousA11yViolations(page);

      // The next worrying episode follows the policy: its first step reaches child protection only.
      const foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
      const youth = await makeYouth(t, foyerKey, foyer.id);
      const fugue = await declareFugue(t, foyerKey, youth.id, { indicators: ['SUICIDE_RISK'] });
      const alert = await waitFor(
        async () => {
          const items = (await t.http.get('/v1/alerts?departmentCode=75').set(bearer(t.adminKey)).expect(200)).body.items as Json[];
          const opened = items.find((a) => a.fugueId === fugue.id);
          if (!opened) return null;
          const details = (await t.http.get(`/v1/alerts/${opened.id}`).set(bearer(t.adminKey)).expect(200)).body;
          return details.notifications.some((n: Json) => n.status === 'sent') ? details : null;
        },
        { what: 'the first step of the alert, sent' },
      );
      const firstStep = (alert.notifications as Json[]).filter((n) => n.step === 0);
      expect(firstStep.map((n) => [n.referentId, n.channel])).toEqual([[protection.id, 'email']]);
      expect((alert.notifications as Json[]).some((n) => n.referentId === police.id)).toBe(false);
      await waitFor(() => smtp.messages.some((m) => m.envelopeTo.includes('protection.testnom@departement.test')), { what: 'the alert e-mail to child protection' });
      expect(smtp.messages.some((m) => m.envelopeTo.includes('police.testnom@commissariat.test'))).toBe(false);

      // Webhooks and failed messages: nothing to show yet, and the page says so.
      await openAdmin(page, 'Webhooks et envois échoués');
      await sees(page, 'Aucun abonnement webhook.');
      await sees(page, 'Aucun message échoué.');
      await expectNoSeriousA11yViolations(page);

      // An API key: shown once, with a copy button and its warning; then revoked.
      await openAdmin(page, 'Clés d’API');
      await page.getByLabel('Nom du système *').fill('Logiciel Testnom');
      await page.getByLabel('Rôle *').selectOption('foyer');
      await page.getByLabel('Foyers *').selectOption(foyer.id);
      await page.getByRole('button', { name: 'Créer la clé' }).click();
      const shown = page.getByRole('region', { name: 'Clé d’API de Logiciel Testnom' });
      await shown.waitFor();
      await shown.getByText('elle ne sera plus jamais affichée').waitFor();
      await shown.getByRole('button', { name: 'Copier' }).waitFor();
      const key = await shown.getByRole('textbox').inputValue();
      expect(key).toMatch(/^vig_/);
      expect((await t.http.get('/v1/me').set(bearer(key)).expect(200)).body).toMatchObject({ displayName: 'Logiciel Testnom', role: 'foyer', foyerIds: [foyer.id] });
      await expectNoSeriousA11yViolations(page);
      // Read again, the page lists the key by its prefix only.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Clés d’API' }).waitFor();
      await page.getByRole('button', { name: 'Révoquer la clé de Logiciel Testnom' }).waitFor();
      expect(await page.content()).not.toContain(key);
      await page.getByRole('button', { name: 'Révoquer la clé de Logiciel Testnom' }).click();
      await page.getByRole('button', { name: 'Confirmer la révocation' }).click();
      await sees(page, 'La clé de Logiciel Testnom a été révoquée');
      await t.http.get('/v1/me').set(bearer(key)).expect(401);
      await expectNoSeriousA11yViolations(page);

      // The audit log of the episode.
      await t.http.get(`/v1/fugues/${fugue.id}`).set(bearer(foyerKey)).expect(200);
      await openAdmin(page, 'Journal d’audit');
      await page.locator('#journal tbody tr').first().waitFor();
      await expectNoSeriousA11yViolations(page);
      await page.getByLabel('Épisode (identifiant)').fill(fugue.id);
      await page.getByRole('button', { name: 'Filtrer le journal' }).click();
      await page.waitForURL(`**/administration/journal?episode=${fugue.id}`);
      const expected = (await t.http.get(`/v1/audit?fugueId=${fugue.id}&limit=50`).set(bearer(t.adminKey)).expect(200)).body.items as Json[];
      expect(expected.length).toBeGreaterThan(0);
      await waitFor(async () => (await page.locator('#journal tbody tr').count()) === expected.length, { what: 'the filtered audit rows' });
      expect(await page.locator('#journal tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-fugue')))).toEqual(expected.map(() => fugue.id));
      await expectNoSeriousA11yViolations(page);

      expect(refused).toEqual([]);
    },
    240_000,
  );

  browser.test(
    'redelivers a webhook and replays a message that failed for good',
    async (page) => {
      const refused = cspRefusals(page);
      const foyer = await makeFoyer(t, { name: 'Foyer Les Envois', departmentCode: '13' });
      const endpoint = (
        await t.http.post('/v1/webhook-endpoints').set(bearer(t.adminKey)).send({ url: receiver.url('/hooks'), events: ['fugue.declared'], description: 'Abonnement Testnom' }).expect(201)
      ).body as Json;
      const foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
      const youth = await makeYouth(t, foyerKey, foyer.id);
      const fugue = await declareFugue(t, foyerKey, youth.id);
      const declared = () => receiver.requests.filter((r) => r.path === '/hooks' && r.rawBody.includes(fugue.id));
      await waitFor(() => declared().length === 1, { what: 'the fugue.declared webhook' });
      await waitFor(
        async () => ((await t.http.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`).set(bearer(t.adminKey)).expect(200)).body.items as Json[]).some((d) => d.status === 'delivered'),
        { what: 'the delivery recorded as delivered' },
      );
      // A message to a referent that failed for good (24 h of retries are not waited for here).
      const referent = (
        await t.http
          .post('/v1/referents')
          .set(bearer(t.adminKey))
          .send({ displayName: 'Astreinte Testnom', role: 'department_duty', departmentCode: '13', channels: [{ type: 'email', address: 'astreinte.testnom@departement.test' }] })
          .expect(201)
      ).body as Json;
      await t.dataSource.query(
        `INSERT INTO notifications (dedup_key, kind, fugue_id, referent_id, channel, target, status, attempts, last_error)
         VALUES ('admin-replay-test', 'routine.information', $1, $2, 'email', 'astreinte.testnom@departement.test', 'failed', 9, 'SMTP 550')`,
        [fugue.id, referent.id],
      );
      const adminEmail = 'admin.envois@vigie.test';
      await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Admin Envois', email: adminEmail, role: 'admin' }).expect(201);
      await signInByEmail(page, smtp, adminEmail, '/administration/envois');
      await page.getByRole('heading', { level: 1, name: 'Webhooks et envois échoués' }).waitFor();

      // The endpoint's deliveries, and one sent again: same webhook-id.
      await page.getByRole('main').getByText(receiver.url('/hooks')).waitFor();
      await page.getByRole('button', { name: 'Voir les envois' }).click();
      const table = page.locator(`#envois-${endpoint.id} table`);
      await table.getByRole('cell', { name: 'fugue.declared', exact: true }).waitFor();
      await table.getByRole('cell', { name: 'Remis (HTTP 200)', exact: true }).waitFor();
      await expectNoSeriousA11yViolations(page);
      await table.getByRole('button', { name: /^Renvoyer l’événement fugue\.declared/ }).click();
      await sees(page, 'L’événement fugue.declared est renvoyé.');
      await waitFor(() => declared().length === 2, { what: 'the webhook delivered again' });
      expect(declared()[1].headers['webhook-id']).toBe(declared()[0].headers['webhook-id']);

      // The message that failed for good, sent again.
      await sees(page, 'Erreur : SMTP 550');
      await page.getByRole('button', { name: 'Renvoyer le message' }).click();
      await sees(page, 'Le message est renvoyé.');
      await sees(page, 'Aucun message échoué.');
      await waitFor(() => smtp.messages.some((m) => m.envelopeTo.includes('astreinte.testnom@departement.test')), { what: 'the replayed message' });
      await expectNoSeriousA11yViolations(page);
      expect(refused).toEqual([]);
    },
    120_000,
  );

  browser.test(
    "changes a person's role and deactivates them, edits and deletes a referent, closes a foyer once its episode ended, and shows the API's refusal of a policy field by field",
    async (page) => {
      const refused = cspRefusals(page);
      const foyer = await makeFoyer(t, { name: 'Foyer Les Fermetures', departmentCode: '14' });
      const person = (
        await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Agent Testnom', email: 'agent.testnom@vigie.test', role: 'foyer', foyerIds: [foyer.id] }).expect(201)
      ).body as Json;
      await t.http
        .post('/v1/referents')
        .set(bearer(t.adminKey))
        .send({ displayName: 'Parquet Testnom', role: 'prosecutor', departmentCode: '14', channels: [{ type: 'email', address: 'parquet.testnom@justice.test' }] })
        .expect(201);
      const foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
      const youth = await makeYouth(t, foyerKey, foyer.id);
      const fugue = await declareFugue(t, foyerKey, youth.id);
      const adminEmail = 'admin.changes@vigie.test';
      await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Admin Changes', email: adminEmail, role: 'admin' }).expect(201);
      await signInByEmail(page, smtp, adminEmail, '/administration/personnes');
      await page.getByRole('heading', { level: 1, name: 'Personnes' }).waitFor();

      // A person's role and scope, then their deactivation.
      await page.getByRole('button', { name: 'Changer le rôle de Agent Testnom' }).click();
      const roleForm = page.getByRole('form', { name: 'Rôle de Agent Testnom' });
      await roleForm.getByLabel('Rôle *').selectOption('police');
      await roleForm.getByRole('button', { name: 'Enregistrer le rôle' }).click();
      // The police need their départements: the API's refusal is shown at that field.
      await roleForm.getByText(/^Refusé : /).waitFor();
      const departments = roleForm.getByLabel('Départements *');
      expect(await departments.getAttribute('aria-invalid')).toBe('true');
      expect(await describedBy(page, `#${await departments.getAttribute('id')}`)).toMatch(/Refusé : /);
      await expectNoSeriousA11yViolations(page);
      await departments.selectOption(['14']);
      await roleForm.getByRole('button', { name: 'Enregistrer le rôle' }).click();
      await sees(page, 'Le rôle de Agent Testnom a été enregistré.');
      expect((await t.http.get(`/v1/people/${person.id}`).set(bearer(t.adminKey)).expect(200)).body).toMatchObject({ role: 'police', departmentCodes: ['14'], foyerIds: [] });
      await page.getByRole('button', { name: 'Désactiver Agent Testnom' }).click();
      await page.getByRole('button', { name: 'Confirmer la désactivation' }).click();
      await sees(page, 'Agent Testnom a été désactivé(e)');
      expect((await t.http.get(`/v1/people/${person.id}`).set(bearer(t.adminKey)).expect(200)).body.deactivatedAt).toEqual(expect.any(String));

      // A referent: a second channel, then deleted.
      await openAdmin(page, 'Référents');
      await page.getByLabel('Département').selectOption('14');
      await page.getByRole('button', { name: 'Modifier le référent Parquet Testnom' }).click();
      const referentForm = page.getByRole('form', { name: 'Référent Parquet Testnom' });
      await referentForm.getByRole('button', { name: 'Ajouter un canal' }).click();
      await referentForm.getByLabel('Canal 2', { exact: true }).selectOption('sms');
      await referentForm.getByLabel('Numéro de portable (format international, +33…) (canal 2)').fill('06 12 34 56 78');
      await referentForm.getByRole('button', { name: 'Enregistrer le référent' }).click();
      await referentForm.getByText('Refusé : numéro au format international attendu').waitFor();
      await expectNoSeriousA11yViolations(page);
      await referentForm.getByLabel('Numéro de portable (format international, +33…) (canal 2)').fill('+33612345678');
      await referentForm.getByRole('button', { name: 'Enregistrer le référent' }).click();
      await sees(page, 'Le référent Parquet Testnom a été enregistré.');
      const saved = ((await t.http.get('/v1/referents?departmentCode=14').set(bearer(t.adminKey)).expect(200)).body.items as Json[])[0];
      expect(saved.channels).toEqual([
        { type: 'email', address: 'parquet.testnom@justice.test' },
        { type: 'sms', phone: '+33612345678' },
      ]);
      await page.getByRole('button', { name: 'Supprimer le référent Parquet Testnom' }).click();
      await page.getByRole('button', { name: 'Confirmer la suppression' }).click();
      await sees(page, 'Le référent Parquet Testnom a été supprimé.');
      await sees(page, 'Aucun référent dans ce département');
      expect((await t.http.get('/v1/referents?departmentCode=14').set(bearer(t.adminKey)).expect(200)).body.items).toEqual([]);

      // Closing the foyer: refused while its episode is open, done once it ended.
      await openAdmin(page, 'Foyers');
      await page.getByRole('button', { name: 'Fermer le foyer Foyer Les Fermetures' }).click();
      await page.getByRole('button', { name: 'Confirmer la fermeture' }).click();
      await sees(page, 'Une fugue de ce foyer est en cours');
      await expectNoSeriousA11yViolations(page);
      await t.http.post(`/v1/fugues/${fugue.id}/cancel`).set(bearer(foyerKey)).send({ reason: 'Erreur de saisie' }).expect(200);
      await page.getByRole('button', { name: 'Fermer le foyer Foyer Les Fermetures' }).click();
      await page.getByRole('button', { name: 'Confirmer la fermeture' }).click();
      await sees(page, 'Le foyer Foyer Les Fermetures a été fermé.');
      expect((await t.http.get(`/v1/foyers/${foyer.id}`).set(bearer(t.adminKey)).expect(200)).body.closedAt).toEqual(expect.any(String));
      // A closed foyer takes no new youth: the youth form (the console loaded again) no longer offers it.
      await makeFoyer(t, { name: 'Foyer Les Ouvertures', departmentCode: '14' });
      await makeFoyer(t, { name: 'Foyer Les Portes', departmentCode: '14' });
      await page.goto('/youths/new');
      const foyerChoice = page.locator('#foyerId');
      await foyerChoice.waitFor();
      expect(await foyerChoice.locator('option', { hasText: 'Foyer Les Ouvertures' }).count()).toBe(1);
      expect(await foyerChoice.locator('option', { hasText: 'Foyer Les Fermetures' }).count()).toBe(0);
      await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Administration' }).click();
      await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();

      // The policy: what the server refuses is shown at its field. The request is altered on its
      // way (an unknown role at step 1), as an older console or a changed rule would send it; the
      // real API answers.
      await openAdmin(page, 'Politique d’escalade');
      await page.getByLabel('Département').selectOption('14');
      await page.getByRole('heading', { name: /^Étape 1/ }).waitFor();
      expect(await page.locator('#deroule li').count()).toBe(5);
      await page.route('**/v1/departments/14/escalation-policy', async (route) => {
        if (route.request().method() !== 'PUT') return route.continue();
        const body = JSON.parse(route.request().postData() ?? '{}');
        body.worrying.steps[0].notify = ['mayor'];
        await route.continue({ postData: JSON.stringify(body) });
      });
      await page.getByRole('button', { name: 'Enregistrer la politique' }).click();
      await page.getByRole('heading', { name: 'Le serveur a refusé la politique' }).waitFor();
      expect(await describedBy(page, '#politique-worrying-steps-0-notify')).toMatch(/Refusé : Un des rôles n’existe pas\./);
      expect(await page.locator('#politique-worrying-steps-0-notify').getAttribute('aria-invalid')).toBe('true');
      await expectNoSeriousA11yViolations(page);
      expect((await t.http.get('/v1/departments/14/escalation-policy').set(bearer(t.adminKey)).expect(200)).body.isDefault).toBe(true);
      expect(refused).toEqual([]);
    },
    120_000,
  );
});
