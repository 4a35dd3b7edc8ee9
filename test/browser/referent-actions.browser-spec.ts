import { LiveEventHub } from '../../apps/api/src/stream/live-event.hub';
import type { Page } from 'playwright-core';
import { Clock } from '@vigie/domain';
import {
  bearer,
  buildConsole,
  cspRefusals,
  expectNoSeriousA11yViolations,
  makeClient,
  makeFoyer,
  makeReferent,
  openPage,
  putEscalationPolicy,
  signInByEmail,
  SmtpCatcher,
  startTestApp,
  sweepsRun,
  TestApp,
  testClock,
  testNow,
  useBrowser,
  waitFor,
} from '@vigie/testing';

/** The test clock moved by an offset the test changes (the 5-minute window of alert news). */
class MovableClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(testClock().nowMs() + this.offsetMs);
  }
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const NEWS_SUBJECT = "[Vigie] Du nouveau sur l'alerte – 75 Paris";
const POLICE = 'brigade.testnom@police.test';
const PROTECTION = 'ase.testnom@departement.test';
const FOYER_DUTY = 'astreinte.testnom@foyer.test';

/** Waits for the page to show `text` somewhere in its main landmark. */
async function sees(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('main').getByText(text).first().waitFor();
}

/**
 * Referents act from the console: the police referent signs in from the link of the alert
 * e-mail, lands on the episode and acknowledges; the foyer sees it live; a sighting the police add
 * reaches the other referents the alert reached in one news e-mail each, not its author; a 116 000 listener
 * reports a call; child protection lowers an episode with a critical trigger, with a reason (a
 * form the police are not offered); the youth's history shows the repeat pattern. Every page
 * passes axe, and the console's CSP refuses nothing.
 */
describe('referents acting from the console', () => {
  const clock = new MovableClock();
  let t: TestApp;
  let smtp: SmtpCatcher;
  let built: Awaited<ReturnType<typeof buildConsole>>;
  const browser = useBrowser(() => t.url);

  beforeAll(async () => {
    built = await buildConsole('referent-actions');
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ clock, ownPublicUrl: true, env: { SMTP_URL: smtp.url, VIGIE_CONSOLE_DIR: built.consoleDir, VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS: '1000' } });
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    built?.remove();
  });

  const mailsTo = async (address: string) => Promise.all(smtp.messagesTo(address).map((m) => smtp.parse(m)));
  const newsTo = async (address: string, fugueId: string) => (await mailsTo(address)).filter((m) => m.subject === NEWS_SUBJECT && m.text?.includes(`/episodes/${fugueId}`));

  browser.test(
    'the police sign in from the alert, acknowledge and add a sighting; child protection lowers the level',
    async (police) => {
      const refused = cspRefusals(police);
      const admin = bearer(t.adminKey);
      const foyer = await makeFoyer(t, { name: 'Foyer Les Essais', departmentCode: '75' });
      const foyerKey = bearer((await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key);
      const youth = (
        await t.http
          .post('/v1/youths')
          .set(admin)
          .send({ foyerId: foyer.id, firstName: 'Testprenom', lastName: 'Testnom', birthDate: '2011-05-02', sex: 'F', description: 'Cheveux courts, 1 m 60' })
          .expect(201)
      ).body as { id: string };

      // Two past fugues, both ended at the same station; the second interview found exploitation signs.
      // They happen before any referent exists: nobody is told of them.
      for (const [daysAgo, exploitationIndicators] of [
        [40, []],
        [12, ['HOTEL_OR_RENTAL']],
      ] as const) {
        const noticed = new Date(testNow().getTime() - daysAgo * DAY);
        const past = (await t.http.post('/v1/fugues').set(admin).send({ youthId: youth.id, noticedMissingAt: noticed.toISOString() }).expect(201)).body as { id: string };
        await t.http
          .post(`/v1/fugues/${past.id}/return`)
          .set(admin)
          .send({ returnedAt: new Date(noticed.getTime() + 20 * 3_600_000).toISOString(), foundBy: 'police', place: 'Gare de Testville' })
          .expect(200);
        const interview = await waitFor(async () => (await t.http.get(`/v1/return-interviews?fugueId=${past.id}`).set(admin).expect(200)).body.items[0] as { id: string } | undefined, {
          what: 'the return interview',
        });
        await t.http
          .put(`/v1/return-interviews/${interview.id}`)
          .set(foyerKey)
          .send({ outcome: 'completed', conductedAt: new Date(noticed.getTime() + 30 * 3_600_000).toISOString(), conductedBy: 'Psychologue Testnom', interviewerIndependent: true, pullFactors: ['PEERS'], exploitationIndicators })
          .expect(200);
        await t.http.post(`/v1/fugues/${past.id}/close`).set(admin).send({ reason: 'Entretien mené' }).expect(200);
      }

      // The referents of the alert's first step, and the people who use the console.
      await makeReferent(t, { departmentCode: '75', displayName: 'Brigade Testnom', role: 'police', channels: [{ type: 'email', address: POLICE }] });
      await makeReferent(t, { departmentCode: '75', displayName: 'Cellule Testnom', role: 'child_protection', channels: [{ type: 'email', address: PROTECTION }] });
      await makeReferent(t, { departmentCode: '75', displayName: 'Astreinte Testnom', role: 'foyer_duty', foyerId: foyer.id, channels: [{ type: 'email', address: FOYER_DUTY }] });
      await putEscalationPolicy(t, '75', [{ afterSeconds: 0, notify: ['police', 'child_protection', 'foyer_duty'] }]);
      const people = {
        police: { displayName: 'Brigadière Testnom', email: POLICE, role: 'police', departmentCodes: ['75'] },
        protection: { displayName: 'Référente Testnom', email: 'referente.testnom@departement.test', role: 'child_protection', departmentCodes: ['75'] },
        foyer: { displayName: 'Éducateur Testnom', email: 'educateur.testnom@foyer.test', role: 'foyer', foyerIds: [foyer.id] },
        hotline: { displayName: 'Écoutante Testnom', email: 'ecoutante.testnom@116000.test', role: 'hotline', departmentCodes: ['75'] },
      };
      for (const person of Object.values(people)) await t.http.post('/v1/people').set(admin).send(person).expect(201);

      // A worrying fugue (a critical trigger): the alert's first step e-mails the police referent.
      const fugueId = (
        await t.http
          .post('/v1/fugues')
          .set(admin)
          .send({ youthId: youth.id, noticedMissingAt: new Date(testNow().getTime() - 30 * MINUTE).toISOString(), indicators: ['SUICIDE_RISK'], lastSeenPlace: 'Parc des Essais' })
          .expect(201)
      ).body.id as string;
      const alertMail = await waitFor(async () => (await mailsTo(POLICE)).find((m) => m.text?.includes(`/episodes/${fugueId}`)), { what: 'the alert e-mail to the police' });
      await waitFor(async () => (await mailsTo(PROTECTION)).length >= 1 && (await mailsTo(FOYER_DUTY)).length >= 1, { what: 'the alert e-mails to the other referents' });
      const episodeLink = new RegExp(`https?://\\S+/episodes/${fugueId}`).exec(alertMail.text ?? '')![0];
      expect(episodeLink.startsWith(t.url)).toBe(true);

      // The foyer follows the episode: the alert runs, nobody has taken it in hand yet.
      const foyerPage = await openPage(browser.browser, t.url);
      const foyerRefused = cspRefusals(foyerPage);
      await signInByEmail(foyerPage, smtp, people.foyer.email, `/episodes/${fugueId}`);
      await foyerPage.getByRole('heading', { level: 1, name: 'Fugue de Testprenom Testnom' }).waitFor();
      const foyerAlert = foyerPage.getByRole('region', { name: 'Alerte', exact: true });
      await foyerAlert.getByText('En cours : personne ne l’a encore prise en compte').waitFor();

      // The police referent opens the e-mail's link: signed out, the console asks to sign in, then lands back on the episode.
      await police.goto(episodeLink);
      await police.waitForURL(`**/connexion?next=${encodeURIComponent(`/episodes/${fugueId}`)}`);
      await police.getByLabel('Adresse électronique').fill(POLICE);
      const before = smtp.messagesTo(POLICE).length;
      await police.getByRole('button', { name: 'Recevoir un lien de connexion' }).click();
      await sees(police, 'Un lien de connexion vous a été envoyé');
      await waitFor(() => smtp.messagesTo(POLICE).length > before, { what: 'the sign-in e-mail to the police' });
      const signInMail = await smtp.parse(smtp.messagesTo(POLICE)[smtp.messagesTo(POLICE).length - 1]);
      await police.goto(/https?:\/\/\S+\/auth\/email-link\/[A-Za-z0-9_-]+/.exec(signInMail.text ?? '')![0]);
      await Promise.all([police.waitForURL((url) => url.pathname === `/episodes/${fugueId}`), police.getByRole('button', { name: 'Me connecter' }).click()]);
      await police.getByRole('heading', { level: 1, name: 'Fugue de Testprenom Testnom' }).waitFor();

      // The police register no youth: the menu does not offer it.
      expect(await police.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Nouveau jeune' }).count()).toBe(0);

      // What the police read: the youth and the facts, the reasons in words, who was told when.
      const facts = police.getByRole('region', { name: 'Le jeune et les faits' });
      await facts.getByText('Cheveux courts, 1 m 60').waitFor();
      await facts.getByText(/Parc des Essais/).waitFor();
      await sees(police, 'Risque suicidaire (tentative récente, menace, lettre)');
      const alert = police.getByRole('region', { name: 'Alerte', exact: true });
      await alert.getByText(/Étape 1 \(la police, la protection de l’enfance, l’astreinte du foyer\) : courriel envoyé le/).waitFor();
      // The police may not read return interviews: the page does not ask for them, and offers no foyer act.
      expect(await police.getByRole('button', { name: 'Déclarer le retour' }).count()).toBe(0);
      expect(await police.getByRole('button', { name: 'Annuler (déclarée par erreur)' }).count()).toBe(0);
      // A critical trigger: lowering is child protection's decision, not offered to the police.
      expect(await police.getByRole('button', { name: 'Abaisser à « Courante »' }).count()).toBe(0);
      await sees(police, /seule la protection de l’enfance peut l’abaisser/);
      await expectNoSeriousA11yViolations(police);

      // Both pages follow the episode's stream (the foyer's and the police's): what is committed from now on reaches them.
      await waitFor(() => t.app.get(LiveEventHub).connections >= 2, { what: 'the streams of the two episode pages' });
      // Acknowledging: the result is confirmed, and the alert says who took it in hand.
      await alert.getByLabel('Note (facultative)').fill('Patrouille envoyée au parc');
      await alert.getByRole('button', { name: 'Prendre en compte l’alerte' }).click();
      await police.getByRole('status').getByText(/^Alerte prise en compte/).waitFor();
      await alert.getByText(/^Prise en compte/).waitFor();
      await alert.getByText(/par la police/).waitFor();
      expect(await alert.getByRole('button', { name: 'Prendre en compte l’alerte' }).count()).toBe(0);
      await expectNoSeriousA11yViolations(police);

      // The foyer's console shows the acknowledgement live, without reloading.
      await foyerAlert.getByText(/^Prise en compte/).waitFor();
      await foyerAlert.getByText(/par la police/).waitFor();
      await foyerPage.getByRole('region', { name: 'Chronologie' }).getByText('Alerte prise en compte', { exact: true }).waitFor();
      await expectNoSeriousA11yViolations(foyerPage);

      // A sighting by the police, from the page.
      await police.getByRole('button', { name: 'Ajouter une information ou un signalement' }).click();
      expect(await police.getByRole('group', { name: 'Inquiétude de l’équipe' }).count()).toBe(0);
      await police.getByLabel('Le jeune a été aperçu').check();
      await police.locator('#sightingPlace').fill('Quai de la gare de Testville');
      await police.getByRole('button', { name: 'Enregistrer' }).click();
      await police.getByRole('status').getByText(/^Information enregistrée/).waitFor();
      const timeline = police.getByRole('region', { name: 'Chronologie' });
      await timeline.getByText('Signalement : jeune aperçu').waitFor();
      await timeline.getByText(/Quai de la gare de Testville/).waitFor();
      await expectNoSeriousA11yViolations(police);

      // A 116 000 listener reports a call on the same episode, within the same window of news.
      const hotline = await openPage(browser.browser, t.url);
      const hotlineRefused = cspRefusals(hotline);
      await signInByEmail(hotline, smtp, people.hotline.email, `/episodes/${fugueId}`);
      await hotline.getByRole('heading', { level: 1, name: 'Fugue de Testprenom Testnom' }).waitFor();
      expect(await hotline.getByRole('button', { name: 'Ajouter une information ou un signalement' }).count()).toBe(0);
      expect(await hotline.getByRole('button', { name: 'Prendre en compte l’alerte' }).count()).toBe(0);
      const report = hotline.getByRole('form', { name: 'Transmettre un appel du 116 000' });
      await report.getByLabel('Un témoin').check();
      await report.getByLabel('Résumé de l’appel').fill('Vue par une passante');
      await expectNoSeriousA11yViolations(hotline);
      await report.getByRole('button', { name: 'Transmettre' }).click();
      await hotline.getByRole('status').getByText(/^Appel enregistré/).waitFor();
      await hotline.getByRole('region', { name: 'Chronologie' }).getByText('Appel reçu par le 116 000').waitFor();
      await hotline.getByRole('region', { name: 'Chronologie' }).getByText(/appel de : Un témoin/).waitFor();
      await expectNoSeriousA11yViolations(hotline);

      // Five minutes on, the facts reach the other referents the alert reached: one news e-mail each.
      clock.offsetMs = 5 * MINUTE + 5000;
      await waitFor(async () => (await newsTo(PROTECTION, fugueId)).length === 1 && (await newsTo(FOYER_DUTY, fugueId)).length === 1, {
        what: 'one news e-mail to each other referent',
        timeoutMs: 20_000,
      });
      await sweepsRun(t, 2);
      for (const address of [PROTECTION, FOYER_DUTY]) {
        const news = await newsTo(address, fugueId);
        expect(news).toHaveLength(1);
        expect(news[0].text).toContain('Nouvelle observation signalée');
        expect(news[0].text).toContain('Signalement reçu du 116 000');
        expect(news[0].text).not.toContain('Quai de la gare de Testville');
      }
      // The police, who made the sighting, are not sent it back: their news tells the call only.
      const policeNews = await newsTo(POLICE, fugueId);
      expect(policeNews).toHaveLength(1);
      expect(policeNews[0].text).toContain('Signalement reçu du 116 000');
      expect(policeNews[0].text).not.toContain('Nouvelle observation signalée');

      // Child protection lowers the episode, with a reason: the critical trigger is theirs to weigh.
      const protection = await openPage(browser.browser, t.url);
      const protectionRefused = cspRefusals(protection);
      await signInByEmail(protection, smtp, people.protection.email, `/episodes/${fugueId}`);
      await protection.getByRole('heading', { level: 1, name: 'Fugue de Testprenom Testnom' }).waitFor();
      await protection.getByRole('button', { name: 'Abaisser à « Courante »' }).click();
      const lower = protection.getByRole('form', { name: 'Abaisser le niveau' });
      await lower.getByText(/déclencheur critique \(Risque suicidaire/).waitFor();
      expect(await lower.getByRole('button', { name: 'Abaisser à « Courante »' }).isDisabled()).toBe(true);
      await lower.getByLabel('Motif *').fill('Jeune retrouvée chez sa tante, en sécurité, entretien téléphonique rassurant');
      await expectNoSeriousA11yViolations(protection);
      await lower.getByRole('button', { name: 'Abaisser à « Courante »' }).click();
      await protection.getByRole('status').getByText(/^Niveau fixé à la main : Courante/).waitFor();
      await sees(protection, /Niveau fixé à la main : Courante .*« Jeune retrouvée chez sa tante/);
      await protection.getByRole('region', { name: 'Chronologie' }).getByText('Niveau fixé à la main', { exact: true }).waitFor();
      await protection.getByRole('button', { name: 'Retirer le niveau fixé à la main' }).waitFor();
      await expectNoSeriousA11yViolations(protection);
      const stored = (await t.http.get(`/v1/fugues/${fugueId}`).set(admin).expect(200)).body;
      expect(stored.override).toMatchObject({ level: 'routine', reason: 'Jeune retrouvée chez sa tante, en sécurité, entretien téléphonique rassurant' });

      // The youth's history, from the episode: the same station twice, exploitation signs in an interview.
      await protection.getByRole('link', { name: 'Historique des fugues du jeune' }).click();
      await protection.getByRole('heading', { level: 1, name: 'Historique des fugues de Testprenom Testnom' }).waitFor();
      const brief = protection.getByRole('region', { name: 'En bref' });
      await brief.getByText('3 fugues : 2 dans les 30 derniers jours, 3 dans les 90 derniers jours', { exact: false }).waitFor();
      await brief.getByText('Retrouvé(e) 2 fois au même endroit : Gare de Testville').waitFor();
      await brief.getByText('Signes d’exploitation relevés lors de 1 entretien de retour').waitFor();
      const rows = protection.getByRole('table', { name: 'Fugues, de la plus récente à la plus ancienne' }).getByRole('row');
      expect(await rows.count()).toBe(4);
      await rows.nth(2).getByText(/Clés d’hôtel ou location de courte durée/).waitFor();
      await expectNoSeriousA11yViolations(protection);

      // The police read the same history without the interviews.
      await police.getByRole('link', { name: 'Historique des fugues du jeune' }).click();
      await police.getByRole('heading', { level: 1, name: 'Historique des fugues de Testprenom Testnom' }).waitFor();
      await sees(police, 'Votre rôle ne donne pas accès aux entretiens de retour.');
      await sees(police, 'Retrouvé(e) 2 fois au même endroit : Gare de Testville');
      expect(await police.getByRole('columnheader', { name: 'Entretien de retour' }).count()).toBe(0);
      await expectNoSeriousA11yViolations(police);

      // Back on the episode, the police mark the youth located: a time before the absence is refused in words, then corrected.
      await police.goBack();
      await police.getByRole('heading', { level: 1, name: 'Fugue de Testprenom Testnom' }).waitFor();
      const locatedButton = police.getByRole('button', { name: 'Jeune localisé(e)' });
      await locatedButton.click();
      await police.locator('#locatedAt').fill('2020-01-06T10:00');
      await police.getByRole('form', { name: 'Jeune localisé' }).getByRole('button', { name: 'Enregistrer' }).click();
      await police.getByRole('alert').getByText(/^Certaines informations ne sont pas acceptées/).waitFor();
      await expectNoSeriousA11yViolations(police);
      expect((await t.http.get(`/v1/fugues/${fugueId}`).set(admin).expect(200)).body.status).toBe('missing');
      await locatedButton.click();
      await locatedButton.click();
      await police.locator('#locatedPlace').fill('Chez sa tante, Testville');
      await police.getByRole('form', { name: 'Jeune localisé' }).getByRole('button', { name: 'Enregistrer' }).click();
      await police.getByRole('status').getByText(/^Jeune localisé\(e\) : c’est enregistré/).waitFor();
      await police.getByText('Localisé(e)', { exact: true }).first().waitFor();
      await police.getByRole('region', { name: 'Le jeune et les faits' }).getByText(/Chez sa tante, Testville/).waitFor();
      expect((await t.http.get(`/v1/fugues/${fugueId}`).set(admin).expect(200)).body.located).toMatchObject({ place: 'Chez sa tante, Testville' });

      expect([...refused, ...foyerRefused, ...hotlineRefused, ...protectionRefused]).toEqual([]);
      for (const page of [foyerPage, hotline, protection]) await page.context().close();
    },
    180_000,
  );
});
