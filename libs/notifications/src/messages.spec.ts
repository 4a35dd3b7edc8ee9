import fc from 'fast-check';
import { AlertMessageInput, emailMessage, MessageKind, smsMessage } from './messages';

const ACK_URL = 'https://vigie.example.test/v1/alerts/0b9f/ack?token=abc&sig=def';
const EPISODE_URL = 'https://vigie.example.test/episodes/0b9f3c1e-2d4a-4b6c-8e0f-1a2b3c4d5e6f';

function input(overrides: Partial<AlertMessageInput> = {}): AlertMessageInput {
  return {
    kind: 'alert',
    departmentCode: '75',
    departmentName: 'Paris',
    level: 'worrying',
    step: 0,
    reasons: [
      { code: 'UNDER_13', label: 'moins de 13 ans' },
      { code: 'VEHICLE_NEAR_FOYER', label: 'véhicule aperçu à proximité du foyer' },
    ],
    firstName: 'Testprenom',
    lastInitial: 'T.',
    age: 12,
    ackUrl: ACK_URL,
    ...overrides,
  };
}

const KINDS: MessageKind[] = ['alert', 'resolved', 'routine', 'test'];

describe('emailMessage', () => {
  it('titles an alert with its level, département and step, and no name', () => {
    expect(emailMessage(input()).subject).toBe('[Vigie] Fugue inquiétante – 75 Paris – étape 1');
    expect(emailMessage(input({ step: 2 })).subject).toBe('[Vigie] Fugue inquiétante – 75 Paris – étape 3');
  });

  it.each(KINDS)('never puts the last or first name in the subject of a %s message', (kind) => {
    const { subject } = emailMessage(input({ kind, resolutionText: "De retour au foyer : l'alerte est arrêtée", nextReviewAt: '2026-01-15T13:05:00Z' }));
    expect(subject).not.toContain('Testnom');
    expect(subject).not.toContain('Testprenom');
  });

  it('gives the first name, the initial of the last name, age, département, reasons in words and the acknowledgement link', () => {
    const { text, html } = emailMessage(input());
    expect(text).toBe(
      [
        "Fugue inquiétante : étape 1 de l'alerte.",
        '',
        'Jeune : Testprenom T., 12 ans',
        'Département : 75 Paris',
        `Niveau : fugue inquiétante — un danger est possible, la recherche est urgente ; l'alerte monte par étapes jusqu'à ce que quelqu'un en accuse réception`,
        'Motifs :',
        '- moins de 13 ans',
        '- véhicule aperçu à proximité du foyer',
        '',
        `Accuser réception de l'alerte : ${ACK_URL}`,
        '',
        "Message automatique de Vigie. Informations confidentielles relevant de la protection de l'enfance : ne pas transférer.",
      ].join('\n'),
    );
    expect(html).toContain('Jeune : Testprenom T., 12 ans');
    expect(html).toContain('<li>véhicule aperçu à proximité du foyer</li>');
    expect(html).toContain(`<a href="${ACK_URL.replace(/&/g, '&amp;')}">`);
    for (const body of [text, html]) expect(body).not.toContain('Testnom');
  });

  it('gives a searcher the foyer and its phone, the times in the département, where last seen, with whom, who else was alerted and the episode link', () => {
    const { text, html } = emailMessage(
      input({
        episodeUrl: EPISODE_URL,
        foyerName: 'Foyer des Lilas',
        foyerPhone: '01 23 45 67 89',
        noticedMissingAt: '2026-01-15T13:05:00Z',
        lastSeenAt: '2026-01-15T12:30:00Z',
        lastSeenPlace: 'Gare\nde Lyon',
        departedWith: "avec d'autres jeunes",
        alerted: [{ role: 'police ou gendarmerie', name: 'Brigade Test' }],
        acknowledged: null,
        timeZone: 'Indian/Reunion',
      }),
    );
    expect(text.split('\n').slice(2, 8)).toEqual([
      'Jeune : Testprenom T., 12 ans',
      'Foyer : Foyer des Lilas, tél. 01 23 45 67 89',
      'Absence constatée : 15/01/2026 à 17:05',
      'Dernière observation : 15/01/2026 à 16:30, Gare de Lyon',
      "Départ : avec d'autres jeunes",
      'Département : 75 Paris',
    ]);
    expect(text).toContain('Autres personnes alertées : Brigade Test (police ou gendarmerie)');
    expect(text).toContain('Accusé de réception : pas encore');
    expect(text).toContain(`Voir l'épisode (connexion requise) : ${EPISODE_URL}`);
    expect(text).toContain(`Accuser réception de l'alerte : ${ACK_URL}`);
    expect(html).toContain(`<a href="${EPISODE_URL}">`);
    const acked = emailMessage(input({ kind: 'news', acknowledged: { at: '2026-01-15T13:20:00Z', by: 'Brigade Test (police ou gendarmerie)' }, alerted: [] }));
    expect(acked.text).toContain('Accusé de réception : oui, le 15/01/2026 à 14:20 par Brigade Test (police ou gendarmerie)');
    expect(acked.text).toContain('Autres personnes alertées : aucune pour le moment');
  });

  it('escapes the HTML of names, labels and links', () => {
    const { html, text } = emailMessage(
      input({
        firstName: '<script>alert(1)</script>',
        departmentName: 'Paris & "Banlieue"',
        reasons: [{ code: 'X', label: '<img src=x onerror=alert(2)>' }],
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; T., 12 ans');
    expect(html).toContain('<li>&lt;img src=x onerror=alert(2)&gt;</li>');
    expect(html).toContain('75 Paris &amp; &quot;Banlieue&quot;');
    expect(text).toContain('Jeune : <script>alert(1)</script> T., 12 ans'); // plain text is not HTML
  });

  it('shows no link that is not http(s)', () => {
    const { text, html } = emailMessage(input({ ackUrl: 'javascript:alert(1)' }));
    expect(text).not.toContain('javascript:');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<a ');
  });

  it('keeps the subject on one line whatever the département name holds', () => {
    expect(emailMessage(input({ departmentName: 'Paris\r\nBcc: someone@example.test' })).subject).toBe(
      '[Vigie] Fugue inquiétante – 75 Paris Bcc: someone@example.test – étape 1',
    );
  });

  it('tells of a routine episode with its reasons and next review in the département time', () => {
    const routine = input({ kind: 'routine', level: 'routine', ackUrl: undefined, nextReviewAt: '2026-01-15T13:05:00Z', reasons: [] });
    const { subject, text } = emailMessage(routine);
    expect(subject).toBe('[Vigie] Fugue classique – 75 Paris');
    expect(text).toContain('Fugue classique déclarée : pour information.');
    expect(text).toContain("- aucun motif d'inquiétude relevé");
    expect(text).toContain('Prochain réexamen : 15/01/2026 à 14:05');
    const reunion = emailMessage({ ...routine, departmentCode: '974', departmentName: 'La Réunion', timeZone: 'Indian/Reunion' });
    expect(reunion.text).toContain('Prochain réexamen : 15/01/2026 à 17:05');
  });

  it('tells that an alert is resolved and why', () => {
    const words = "Niveau abaissé : l'alerte est arrêtée, la recherche continue";
    const { subject, text } = emailMessage(input({ kind: 'resolved', resolutionText: words, ackUrl: undefined }));
    expect(subject).toBe("[Vigie] Fin de l'alerte – 75 Paris");
    expect(text).toContain(`${words}.`);
    expect(text).not.toMatch(/levée|level_lowered/);
    expect(text).toContain('Jeune : Testprenom T., 12 ans');
    expect(text).not.toContain('Accuser réception');
  });

  it('sends a test message with no one named', () => {
    const { subject, text, html } = emailMessage(input({ kind: 'test', ackUrl: undefined }));
    expect(subject).toBe('[Vigie] Message de test – 75 Paris');
    for (const body of [text, html]) expect(body).not.toMatch(/Testprenom|Testnom/);
  });
});

describe('smsMessage', () => {
  it('reads as a short alert with the first-name initial, level, département, reasons and link', () => {
    expect(smsMessage(input())).toBe(
      `Vigie : fugue inquiétante, 75 Paris, étape 1. Jeune T., 12 ans. Motifs : moins de 13 ans ; véhicule aperçu à proximité du foyer. Accusé de réception : ${ACK_URL}`,
    );
  });

  it('cuts the reasons, never the link, to stay within 300 characters', () => {
    const longUrl = `https://vigie.example.test/v1/alerts/ack?token=${'a'.repeat(100)}`;
    const reasons = Array.from({ length: 12 }, (_, i) => ({ code: `R${i}`, label: `motif numéro ${i} décrit longuement` }));
    const sms = smsMessage(input({ ackUrl: longUrl, reasons }));
    expect(sms.length).toBeLessThanOrEqual(300);
    expect(sms.endsWith(`Accusé de réception : ${longUrl}`)).toBe(true);
    expect(sms).toContain('Motifs : motif numéro 0');
    expect(sms).toContain(' …');
    expect(sms).not.toContain('motif numéro 11');
  });

  it('cuts a single reason too long to fit whole', () => {
    const sms = smsMessage(input({ reasons: [{ code: 'R', label: 'x'.repeat(400) }] }));
    expect(sms.length).toBeLessThanOrEqual(300);
    expect(sms).toMatch(/Motifs : x+… Accusé de réception : /);
  });

  it('drops the département name before giving up the link', () => {
    const ackUrl = `https://vigie.example.test/ack?t=${'b'.repeat(180)}`;
    const sms = smsMessage(input({ departmentName: 'Nom de département '.repeat(5), ackUrl }));
    expect(sms.length).toBeLessThanOrEqual(300);
    expect(sms).toContain('fugue inquiétante, 75, étape 1.');
    expect(sms.endsWith(ackUrl)).toBe(true);
  });

  it('copies the département name verbatim, replacement patterns included', () => {
    expect(smsMessage(input({ departmentName: "Paris $& $' $1", reasons: [] }))).toContain("fugue inquiétante, 75 Paris $& $' $1, étape 1.");
  });

  it('refuses a link that cannot fit in an SMS', () => {
    expect(() => smsMessage(input({ ackUrl: `https://vigie.example.test/${'c'.repeat(300)}` }))).toThrow(RangeError);
  });

  it('stays within 300 characters, keeps the link and names no one, whatever the reasons and link', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 120 }), { maxLength: 25 }),
        fc.integer({ min: 0, max: 169 }), // links up to 200 characters
        fc.string({ maxLength: 60 }),
        fc.constantFrom<MessageKind>(...KINDS),
        (labels, urlPadding, departmentName, kind) => {
          const ackUrl = `https://vigie.example.test/ack/${'d'.repeat(urlPadding)}`;
          const reasons = labels.map((label, i) => ({ code: `R${i}`, label }));
          const sms = smsMessage(input({ kind, ackUrl, reasons, departmentName, nextReviewAt: '2026-01-15T13:05:00Z' }));
          expect(sms.length).toBeLessThanOrEqual(300);
          if (kind === 'alert') expect(sms.endsWith(ackUrl)).toBe(true);
          else expect(sms).not.toContain(ackUrl);
          expect(sms).not.toContain('Testprenom');
          expect(sms).not.toContain('Testnom');
        },
      ),
    );
  });

  it('tells of a routine episode with its next review and of a resolved alert', () => {
    const routine = smsMessage(input({ kind: 'routine', level: 'routine', ackUrl: undefined, reasons: [], nextReviewAt: '2026-01-15T13:05:00Z' }));
    expect(routine).toBe('Vigie : fugue classique, 75 Paris. Jeune T., 12 ans. Réexamen le 15/01 à 14:05.');
    const resolved = smsMessage(input({ kind: 'resolved', resolutionText: "De retour au foyer : l'alerte est arrêtée", ackUrl: undefined }));
    expect(resolved).toBe("Vigie, 75 Paris : de retour au foyer : l'alerte est arrêtée. Jeune T., 12 ans.");
  });

  it('writes the age in French', () => {
    expect(smsMessage(input({ age: 1, ackUrl: undefined, reasons: [] }))).toContain('Jeune T., 1 an.');
    expect(smsMessage(input({ age: 0, ackUrl: undefined, reasons: [], firstName: 'testprenom' }))).toContain("Jeune T., moins d'un an.");
  });
});
