import fc from 'fast-check';
import { AlertMessageInput, emailMessage, MessageKind, smsMessage } from './messages';

/** The notices of the return and of the return interview (integrations.md § Return interview). */
function input(overrides: Partial<AlertMessageInput> = {}): AlertMessageInput {
  return {
    kind: 'returned',
    departmentCode: '75',
    departmentName: 'Paris',
    level: 'routine',
    step: 0,
    reasons: [],
    firstName: 'Testprenom',
    lastInitial: 'T.',
    age: 15,
    returnedAt: '2026-01-15T13:05:00Z',
    foundBy: 'police',
    dueAt: '2026-01-18T13:05:00Z',
    ...overrides,
  };
}

const REVEALED = [
  { code: 'SEXUAL_EXPLOITATION', label: 'Exploitation sexuelle' },
  { code: 'HOTEL_OR_RENTAL', label: 'Clés d’hôtel ou location de courte durée évoquée' },
];
const KINDS: MessageKind[] = ['returned', 'interview_reminder', 'interview_overdue', 'disclosure'];

describe('e-mails of the return and the return interview', () => {
  it('tells the police the youth is back, when and how, in the département time', () => {
    const { subject, text } = emailMessage(input());
    expect(subject).toBe('[Vigie] Retour au foyer – 75 Paris');
    expect(text.split('\n').slice(0, 6)).toEqual([
      'Testprenom est de retour au foyer : fin de la fugue.',
      '',
      'Jeune : Testprenom T., 15 ans',
      'Département : 75 Paris',
      'Retour : 15/01/2026 à 14:05',
      'Circonstances : retour avec la police ou la gendarmerie',
    ]);
  });

  it('reminds foyer duty of the interview and its due time', () => {
    const { subject, text } = emailMessage(input({ kind: 'interview_reminder' }));
    expect(subject).toBe('[Vigie] Entretien de retour à tenir – 75 Paris');
    expect(text).toContain("L'entretien de retour de fugue doit être tenu dans les 72 heures suivant le retour.");
    expect(text).toContain('Échéance : 18/01/2026 à 14:05');
  });

  it('says an interview is overdue', () => {
    const { subject, text } = emailMessage(input({ kind: 'interview_overdue', departmentCode: '974', departmentName: 'La Réunion', timeZone: 'Indian/Reunion' }));
    expect(subject).toBe('[Vigie] Entretien de retour en retard – 974 La Réunion');
    expect(text).toContain('Échéance dépassée : 18/01/2026 à 17:05');
  });

  it('lists what an interview revealed, and asks for a signalement to be considered', () => {
    const { subject, text, html } = emailMessage(input({ kind: 'disclosure', reasons: REVEALED }));
    expect(subject).toBe("[Vigie] Révélation lors d'un entretien de retour – 75 Paris");
    expect(text).toContain('un signalement au procureur de la République est à examiner');
    expect(text).toContain(['Révélé :', '- Exploitation sexuelle', '- Clés d’hôtel ou location de courte durée évoquée'].join('\n'));
    expect(html).toContain('<p>Révélé :</p>');
    expect(text).not.toContain('Motifs');
  });

  it.each(KINDS)('never names the youth in the subject of a %s message, and gives only the initial of the last name', (kind) => {
    const { subject, text, html } = emailMessage(input({ kind, reasons: REVEALED }));
    expect(subject).not.toMatch(/Testprenom|Testnom/);
    for (const body of [text, html]) expect(body).not.toContain('Testnom');
  });
});

describe('SMS of the return and the return interview', () => {
  it('read as short notices with the first-name initial only', () => {
    expect(smsMessage(input())).toBe('Vigie : de retour au foyer, fin de la fugue, 75 Paris. Jeune T., 15 ans. Retour le 15/01 à 14:05.');
    expect(smsMessage(input({ kind: 'interview_reminder' }))).toBe(
      'Vigie : entretien de retour de fugue à tenir, 75 Paris. Jeune T., 15 ans. Échéance le 18/01 à 14:05.',
    );
    expect(smsMessage(input({ kind: 'interview_overdue' }))).toBe(
      'Vigie : entretien de retour de fugue en retard, 75 Paris. Jeune T., 15 ans. Échéance dépassée le 18/01 à 14:05.',
    );
    expect(smsMessage(input({ kind: 'disclosure', reasons: REVEALED }))).toBe(
      "Vigie : révélation lors d'un entretien de retour, 75 Paris. Jeune T., 15 ans. Signalement au procureur à examiner. Révélé : Exploitation sexuelle ; Clés d’hôtel ou location de courte durée évoquée.",
    );
  });

  it('stay within 300 characters and name no one, whatever the labels and département', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 120 }), { maxLength: 25 }),
        fc.string({ maxLength: 60 }),
        fc.constantFrom<MessageKind>(...KINDS),
        (labels, departmentName, kind) => {
          const sms = smsMessage(input({ kind, departmentName, reasons: labels.map((label, i) => ({ code: `R${i}`, label })) }));
          expect(sms.length).toBeLessThanOrEqual(300);
          expect(sms).not.toContain('Testprenom');
          expect(sms).not.toContain('Testnom');
        },
      ),
    );
  });
});
