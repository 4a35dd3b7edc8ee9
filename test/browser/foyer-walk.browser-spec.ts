import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { bearer, buildConsole, cspRefusals, expectNoSeriousA11yViolations, makeFoyer, signInByEmail, SmtpCatcher, startTestApp, TestApp, testNow, useBrowser, waitFor } from '@vigie/testing';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** The text of a PDF, read by pdfjs-dist in a child process (it is an ES module; see pdf-text.mjs). */
async function pdfText(pdf: Buffer, dir: string): Promise<{ pages: number; text: string }> {
  const file = join(dir, 'fiche.pdf');
  writeFileSync(file, pdf);
  const { stdout } = await run(process.execPath, [join(__dirname, 'pdf-text.mjs'), file], { cwd: ROOT });
  return JSON.parse(stdout) as { pages: number; text: string };
}

/** Waits for the page to show `text` somewhere in its main landmark. */
async function sees(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('main').getByText(text).first().waitFor();
}

/**
 * A foyer's night in the console, on a phone-sized screen: sign in by e-mail, register a youth,
 * declare a fugue the team is worried about (preoccupying, with its reasons), add a sighting,
 * print the missing-person sheet, declare the return, record the return interview with a
 * disclosure of exploitation, see the referral to the prosecutor in the timeline, sign out.
 * Every page passes axe (no serious or critical violation).
 */
describe('the foyer console, from sign-in to the return interview', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let built: Awaited<ReturnType<typeof buildConsole>>;
  const browser = useBrowser(() => t.url, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  beforeAll(async () => {
    built = await buildConsole('foyer-walk');
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ ownPublicUrl: true, env: { SMTP_URL: smtp.url, VIGIE_CONSOLE_DIR: built.consoleDir } });
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    built?.remove();
  });

  browser.test(
    'walks a fugue through the console',
    async (page, context) => {
      // The console runs under its strict CSP: the browser reports any refused script, style or request.
      const refused = cspRefusals(page);
      const foreign: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(t.url) && !request.url().startsWith('data:')) foreign.push(request.url());
      });
      const foyer = await makeFoyer(t, { name: 'Foyer Les Essais' });
      // Someone to alert: the foyer's on-call referent, at the first step of a worrying alert.
      await t.http
        .post('/v1/referents')
        .set(bearer(t.adminKey))
        .send({ displayName: 'Astreinte Testnom', role: 'foyer_duty', departmentCode: foyer.departmentCode, foyerId: foyer.id, channels: [{ type: 'email', address: 'astreinte@foyer.test' }] })
        .expect(201);
      await t.http
        .put(`/v1/departments/${foyer.departmentCode}/escalation-policy`)
        .set(bearer(t.adminKey))
        .send({ worrying: { steps: [{ afterSeconds: 0, notify: ['foyer_duty'] }], repeatLastStepEverySeconds: null } })
        .expect(200);
      const email = 'educatrice.testnom@foyer.test';
      await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Éducatrice Testnom', email, role: 'foyer', foyerIds: [foyer.id] }).expect(201);

      // Signed out, the console sends to its sign-in page, which will bring the person back.
      await page.goto('/');
      await page.waitForURL('**/connexion?next=%2F');
      await page.getByRole('heading', { level: 1, name: 'Connexion à Vigie' }).waitFor();
      expect(await page.getByRole('link', { name: 'Se connecter avec ProConnect' }).count()).toBe(0);
      await expectNoSeriousA11yViolations(page);
      await page.getByLabel('Adresse électronique').fill(email);
      await page.getByRole('button', { name: 'Recevoir un lien de connexion' }).click();
      await sees(page, 'Un lien de connexion vous a été envoyé');
      await expectNoSeriousA11yViolations(page);
      await waitFor(() => smtp.messages.some((m) => m.envelopeTo.includes(email)), { what: 'the sign-in e-mail' });
      const mail = await smtp.parse(smtp.messages.find((m) => m.envelopeTo.includes(email))!);
      const link = /https?:\/\/\S+\/auth\/email-link\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')![0];
      await page.goto(link);
      await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Me connecter' }).click()]);

      // The foyer's youths: none yet.
      await page.getByRole('heading', { level: 1, name: 'Jeunes du foyer' }).waitFor();
      await sees(page, 'Aucun jeune enregistré');
      await expectNoSeriousA11yViolations(page);

      // A new profile.
      await page.getByRole('main').getByRole('link', { name: 'Nouveau jeune' }).click();
      await page.getByRole('heading', { level: 1, name: 'Nouveau jeune' }).waitFor();
      await expectNoSeriousA11yViolations(page);
      await page.locator('#firstName').fill('Testprenom');
      await page.locator('#lastName').fill('Testnom');
      await page.locator('#birthDate').fill('2012-03-14');
      await page.getByLabel('Fille').check();
      await page.locator('#description').fill('Cheveux bruns, 1 m 55, lunettes rondes');
      await page.locator('#usualPlaces').fill('Gare de Testville\nParc des Essais');
      await page.getByLabel('Antécédents d’errance').check();
      await page.getByRole('button', { name: 'Créer le profil' }).click();
      await page.getByRole('heading', { level: 1, name: 'Testprenom Testnom' }).waitFor();
      const youthId = /\/youths\/([0-9a-f-]{36})$/.exec(page.url())![1];
      await sees(page, 'Antécédents d’errance');
      await expectNoSeriousA11yViolations(page);

      // Declaring: the team is worried; the preview says so before anything is sent.
      await page.getByRole('link', { name: 'Déclarer une fugue' }).click();
      await page.getByRole('heading', { level: 1, name: 'Déclarer la fugue de Testprenom Testnom' }).waitFor();
      await page.locator('#lastSeenPlace').fill('Gare de Testville, quai 3');
      await page.locator('#clothing').fill('Sweat rouge, jean');
      await page.getByLabel('Avec d’autres jeunes').check();
      await page.getByLabel('Son téléphone').check();
      await page.getByLabel('Oui, l’équipe est inquiète').check();
      const preview = page.getByRole('region', { name: 'Niveau prévisible' });
      await preview.getByText('Préoccupante').waitFor();
      await preview.getByText('Inquiétude exprimée par l’équipe').waitFor();
      await expectNoSeriousA11yViolations(page);
      await page.getByRole('button', { name: 'Déclarer la fugue' }).click();
      await page.getByRole('heading', { level: 1, name: 'Fugue de Testprenom Testnom déclarée' }).waitFor();
      // The triage runs in the worker: the level and its reasons arrive in words.
      await sees(page, /^Préoccupante$/);
      await sees(page, /Inquiétude exprimée par l’équipe/);
      await page.getByRole('heading', { name: 'Qui est prévenu' }).waitFor();
      await sees(page, /1 référent prévenu \(l’astreinte du foyer\)/);
      await expectNoSeriousA11yViolations(page);

      // Following the episode: a sighting.
      await page.getByRole('link', { name: 'Suivre la fugue' }).click();
      await page.getByRole('heading', { level: 1, name: 'Fugue de Testprenom Testnom' }).waitFor();
      const episodeId = /\/episodes\/([0-9a-f-]{36})$/.exec(page.url())![1];
      await page.getByRole('button', { name: 'Ajouter une information ou un signalement' }).click();
      await page.getByLabel('Le jeune a été aperçu').check();
      await page.locator('#sightingPlace').fill('Parc des Essais, près du kiosque');
      await page.locator('#note').fill('Vue par un voisin');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      await sees(page, 'Signalement : jeune aperçu');
      await sees(page, /Parc des Essais, près du kiosque/);
      await expectNoSeriousA11yViolations(page);

      // The missing-person sheet, printed to PDF: one A4 page with the name and where last seen.
      await page.getByRole('link', { name: 'Fiche de signalement (à imprimer)' }).click();
      await page.getByRole('heading', { level: 1, name: 'Testprenom Testnom' }).waitFor();
      await expectNoSeriousA11yViolations(page);
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      const sheet = await pdfText(pdf, built.root);
      expect(sheet.pages).toBe(1);
      // Lines wrap where the page is narrow: compare the words.
      const words = sheet.text.replace(/\s+/g, ' ');
      expect(words).toContain('Testprenom Testnom');
      expect(words).toContain('Gare de Testville, quai 3');
      expect(words).toContain('Sweat rouge, jean');
      expect(words).toContain('Foyer Les Essais');
      expect(words).not.toContain('Imprimer');

      // The return, then the interview it schedules.
      await page.goto(`/episodes/${episodeId}`);
      await page.getByRole('button', { name: 'Déclarer le retour' }).click();
      await page.getByLabel('La police ou la gendarmerie').check();
      await page.locator('#returnPlace').fill('Commissariat de Testville');
      await page.getByRole('form', { name: 'Déclarer le retour' }).getByRole('button', { name: 'Déclarer le retour' }).click();
      await page.getByText('Revenu(e)', { exact: true }).first().waitFor();
      await waitFor(
        async () => {
          if ((await page.getByRole('link', { name: 'Mener l’entretien de retour' }).count()) > 0) return true;
          await page.reload();
          await page.getByRole('heading', { level: 1 }).waitFor();
          return false;
        },
        { what: 'the return interview' },
      );
      await expectNoSeriousA11yViolations(page);
      await page.getByRole('link', { name: 'Mener l’entretien de retour' }).click();
      await page.getByRole('heading', { level: 1, name: 'Entretien de retour de Testprenom Testnom' }).waitFor();
      await sees(page, /À mener avant le/);
      await page.locator('#conductedBy').fill('Psychologue Testnom');
      await page.getByRole('group', { name: /extérieure à l’accompagnement quotidien/ }).getByLabel('Oui').check();
      await page.getByLabel('Retrouver des amis ou d’autres jeunes').check();
      await page.getByRole('group', { name: 'Révélations du jeune' }).getByLabel('Exploitation sexuelle').check();
      // The consequence is said before saving.
      await page.getByRole('region', { name: 'En enregistrant' }).getByText(/déclenche un signalement au procureur de la République/).waitFor();
      await expectNoSeriousA11yViolations(page);
      await page.getByRole('button', { name: 'Enregistrer l’entretien' }).click();
      await sees(page, /^Mené/);

      // The timeline shows the disclosure and the referral to the prosecutor.
      await page.getByRole('link', { name: 'Revenir à la fugue' }).click();
      const timeline = page.getByRole('region', { name: 'Chronologie' });
      await timeline.getByText('Révélation lors de l’entretien de retour').waitFor();
      await timeline.getByText(/signalement au procureur de la République/).first().waitFor();
      await timeline.getByText('Entretien de retour enregistré').waitFor();
      await expectNoSeriousA11yViolations(page);

      // Nothing personal is kept in the browser's storage.
      const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
      expect(stored).not.toMatch(/Testprenom|Testnom|Testville/);

      expect(refused).toEqual([]);
      expect(foreign).toEqual([]);

      // Signing out ends the session.
      await Promise.all([page.waitForURL('**/connexion'), page.getByRole('button', { name: 'Se déconnecter' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'Connexion à Vigie' }).waitFor();
      expect((await context.cookies()).find((c) => c.name === 'vigie_session')).toBeUndefined();
      await page.goto(`/youths/${youthId}`);
      await page.waitForURL(`**/connexion?next=${encodeURIComponent(`/youths/${youthId}`)}`);

      // Signing in again from there lands on the page that was asked for.
      const before = smtp.messages.length;
      await page.getByLabel('Adresse électronique').fill(email);
      await page.getByRole('button', { name: 'Recevoir un lien de connexion' }).click();
      await sees(page, 'Un lien de connexion vous a été envoyé');
      await waitFor(() => smtp.messages.length > before, { what: 'the second sign-in e-mail' });
      const again = await smtp.parse(smtp.messages[smtp.messages.length - 1]);
      await page.goto(/https?:\/\/\S+\/auth\/email-link\/[A-Za-z0-9_-]+/.exec(again.text ?? '')![0]);
      await Promise.all([page.waitForURL((url) => url.pathname === `/youths/${youthId}`), page.getByRole('button', { name: 'Me connecter' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'Testprenom Testnom' }).waitFor();
    },
    120_000,
  );

  browser.test('says in words what went wrong, and sends back to sign-in when the session ends', async (page, context) => {
    const foyer = await makeFoyer(t, { name: 'Foyer Les Erreurs' });
    const email = 'veilleur.testnom@foyer.test';
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Veilleur Testnom', email, role: 'foyer', foyerIds: [foyer.id] }).expect(201);
    const youth = (
      await t.http
        .post('/v1/youths')
        .set(bearer(t.adminKey))
        .send({ foyerId: foyer.id, firstName: 'Erreurprenom', lastName: 'Testnom', birthDate: '2011-06-01', sex: 'M', vulnerabilities: [] })
        .expect(201)
    ).body as { id: string };
    await t.http
      .post('/v1/fugues')
      .set(bearer(t.adminKey))
      .send({ youthId: youth.id, noticedMissingAt: new Date(testNow().getTime() - 3_600_000).toISOString(), staffConcern: { worrying: false } })
      .expect(201);
    await signInByEmail(page, smtp, email);
    await page.getByRole('heading', { level: 1, name: 'Jeunes du foyer' }).waitFor();

    // An address that is not theirs (or does not exist): 404 in words.
    await page.goto('/youths/0b7f7c1e-3f0e-4c55-9a40-2d7b1c9e8f21');
    await page.getByRole('alert').getByText(/^Introuvable : cette fiche n’existe pas/).waitFor();
    await expectNoSeriousA11yViolations(page);

    // Declaring twice: the 409 FUGUE_ALREADY_OPEN said in words, nothing declared.
    await page.goto(`/youths/${youth.id}`);
    await page.getByRole('link', { name: 'Suivre la fugue en cours' }).waitFor();
    expect(await page.getByRole('link', { name: 'Déclarer une fugue' }).count()).toBe(0);
    await page.goto(`/youths/${youth.id}/declare`);
    await page.getByLabel('Non, pas d’inquiétude particulière').check();
    await page.getByRole('button', { name: 'Déclarer la fugue' }).click();
    await page.getByRole('alert').getByText(/^Une fugue est déjà en cours pour ce jeune/).waitFor();
    await expectNoSeriousA11yViolations(page);

    // The network down: said so, with a way to try again.
    await page.route('**/v1/youths?*', (route) => route.abort('internetdisconnected'));
    await page.goto('/');
    await page.getByRole('alert').getByText(/^Le serveur ne répond pas/).waitFor();
    await page.unroute('**/v1/youths?*');
    await page.getByRole('button', { name: 'Réessayer' }).click();
    await page.getByRole('link', { name: 'Erreurprenom Testnom' }).waitFor();

    // The session ends (here: its cookie is gone): the next call sends to sign-in, with next.
    await context.clearCookies();
    await page.getByRole('link', { name: 'Erreurprenom Testnom' }).click();
    await page.waitForURL(`**/connexion?next=${encodeURIComponent(`/youths/${youth.id}`)}`);
    await page.getByRole('heading', { level: 1, name: 'Connexion à Vigie' }).waitFor();

    // With the keyboard alone: the skip link leads to the content, the form sends with Enter.
    await page.getByRole('link', { name: 'Aller au contenu' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null>('document.activeElement && document.activeElement.id')).toBe('email');
    await page.keyboard.type(email);
    await page.keyboard.press('Enter');
    await sees(page, 'Un lien de connexion vous a été envoyé');
  });
});
