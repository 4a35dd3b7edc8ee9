import {
  ALERT_RESOLUTIONS,
  AlertEntity,
  FugueDetails,
  FugueEntity,
  NOTIFICATION_KINDS,
  NotificationEntity,
  NotificationKind,
  ReturnInterviewEntity,
  YouthIdentity,
} from '@vigie/persistence';
import { emailMessage, smsMessage } from '@vigie/notifications';
import { ruleDefinition, RuleCode } from '../triage/vocabulary';
import { MessageSources, messageInputOf } from './message-input';
import { HEALTH_REASON, HEALTH_REASON_CODES, NEWS_FACT_TYPES, NEWS_FACT_WORDS, RESOLUTION_WORDS } from './message-words';
import { webhookData } from './notification-messages';

/**
 * The texts of every notification, built from what the service reads: a youth whose last name,
 * health data, description, photo and clothing are distinctive markers that no message may carry.
 */
const MARKERS = ['Zqxlastname', 'Zqxmedical', 'Zqxdescription', 'Zqxphoto', 'Zqxclothing', 'Zqxcircumstances', 'Zqxvehicle', 'Zqxusualplace', '0611223344'];
const HEALTH_CODES = [...HEALTH_REASON_CODES] as RuleCode[];
const HEALTH_WORDS = HEALTH_CODES.map((code) => ruleDefinition(code).label);
const PUBLIC_URL = 'https://vigie.departement-974.fr';
const FUGUE_ID = '4f1c2b3a-1111-4222-8333-944455566677';
const ALERT_ID = '0b9f3c1e-2d4a-4b6c-8e0f-1a2b3c4d5e6f';
const ACK_URL = `${PUBLIC_URL}/a/${'x'.repeat(52)}.${'y'.repeat(43)}`;
const EPISODE_URL = `${PUBLIC_URL}/episodes/${FUGUE_ID}`;
const CHANNELS = ['email', 'sms', 'webhook'] as const;

const identity: YouthIdentity = {
  firstName: 'Testprenom',
  lastName: 'Zqxlastname',
  birthDate: '2012-03-01',
  phone: '0611223344',
  description: 'Zqxdescription',
  photoUrl: 'https://photos.example/Zqxphoto.jpg',
  usualPlaces: ['Zqxusualplace'],
  medicalDetails: 'Zqxmedical',
  vulnerabilities: ['DISABILITY', 'SUBSTANCE_USE'],
  vitalTreatment: true,
};

const details: FugueDetails = {
  lastSeenPlace: 'Gare routière',
  clothing: 'Zqxclothing',
  circumstances: 'Zqxcircumstances',
  vehicle: 'Zqxvehicle',
};

function fugue(): FugueEntity {
  return {
    id: FUGUE_ID,
    departmentCode: '974',
    foyerId: 'foyer',
    youthId: 'youth',
    status: 'missing',
    noticedMissingAt: new Date('2026-01-15T13:05:00Z'),
    lastSeenAt: new Date('2026-01-15T12:30:00Z'),
    departedWith: 'adult',
    effectiveLevel: 'worrying',
    classification: {
      level: 'worrying',
      score: 9,
      reasons: [...HEALTH_CODES, 'AGE_13_14', 'HOTEL_OR_RENTAL'].map((code) => ({ code, kind: 'critical' as const, weight: null, source: 'profile' })),
      rulesetVersion: '2026.1',
      evaluatedAt: '2026-01-15T13:06:00Z',
      nextReviewAt: null,
    },
    nextReviewAt: new Date('2026-01-15T19:05:00Z'),
    returnedAt: new Date('2026-01-16T08:00:00Z'),
    foundBy: 'police',
  } as FugueEntity;
}

function alert(overrides: Partial<AlertEntity> = {}): AlertEntity {
  return { id: ALERT_ID, state: 'open', resolution: null, acknowledgedAt: null, acknowledgedByReferentId: null, ...overrides } as AlertEntity;
}

const interview = {
  id: 'interview',
  dueAt: new Date('2026-01-19T08:00:00Z'),
  disclosedSexualExploitation: true,
  disclosedViolence: false,
  disclosedSexualViolence: false,
  exploitationIndicators: ['PREGNANCY_OR_STI', 'HOTEL_OR_RENTAL'],
  referrals: ['MEDICAL_CHECK'],
} as unknown as ReturnInterviewEntity;

function sources(kind: NotificationKind, overrides: Partial<MessageSources> = {}): MessageSources {
  const onAlert = kind.startsWith('alert.');
  return {
    notification: {
      kind,
      step: kind === 'alert.notification' ? 1 : null,
      referentId: 'me',
      facts: kind === 'alert.news' ? NEWS_FACT_TYPES.map((type, i) => ({ type, at: new Date(Date.UTC(2026, 0, 15, 14, i)).toISOString() })) : null,
    },
    fugue: fugue(),
    details,
    identity,
    department: { name: 'La Réunion', timeZone: 'Indian/Reunion' },
    foyer: { name: 'Foyer des Lilas', phone: '0262 00 00 00' },
    alert: onAlert ? alert({ resolution: kind === 'alert.resolved' ? 'level_lowered' : null }) : null,
    alerted: [
      { id: 'me', role: 'police', displayName: 'Brigade Moi' },
      { id: 'other', role: 'child_protection', displayName: 'Cellule ASE' },
    ],
    acknowledger: null,
    interview: kind.startsWith('interview.') ? interview : null,
    now: new Date('2026-01-15T14:00:00Z'),
    episodeUrl: EPISODE_URL,
    ackUrl: kind === 'alert.notification' ? ACK_URL : undefined,
    ...overrides,
  };
}

/** Every text a notification of this kind may send, on each channel. */
function texts(kind: NotificationKind, overrides: Partial<MessageSources> = {}): Record<(typeof CHANNELS)[number], string> {
  const s = sources(kind, overrides);
  const message = messageInputOf(s);
  const mail = emailMessage(message);
  const n = { ...s.notification, id: 'n', alertId: s.alert?.id ?? null, fugueId: FUGUE_ID } as NotificationEntity;
  return {
    email: [mail.subject, mail.text, mail.html].join('\n'),
    sms: smsMessage(message),
    webhook: JSON.stringify(webhookData(n, message, s.alert, s.interview)),
  };
}

describe('message texts', () => {
  describe.each(NOTIFICATION_KINDS)('a %s notification', (kind) => {
    it.each(CHANNELS)('by %s carries no last name, no health detail, no description, photo or clothing', (channel) => {
      const text = texts(kind)[channel];
      for (const marker of MARKERS) expect(text).not.toContain(marker);
      for (const words of HEALTH_WORDS) expect(text).not.toContain(words);
      for (const code of HEALTH_CODES) expect(text).not.toContain(code);
      expect(text).not.toMatch(/traitement|handicap|grossesse|infection|consommation/i);
    });

    it.each(CHANNELS)('by %s carries the link to the episode page', (channel) => {
      expect(texts(kind)[channel]).toContain(EPISODE_URL);
    });

    it('fits an SMS of 300 characters with its links, on the longest inputs', () => {
      const long = 'Marie-Christine-Alexandra'.repeat(4);
      const sms = texts(kind, {
        identity: { ...identity, firstName: long },
        department: { name: 'Territoire de Belfort et Haute-Saône réunis '.repeat(3), timeZone: 'Europe/Paris' },
        foyer: { name: long, phone: '0262 00 00 00' },
        details: { lastSeenPlace: long },
      }).sms;
      expect(sms.length).toBeLessThanOrEqual(300);
      expect(sms).toContain(EPISODE_URL);
      if (kind === 'alert.notification') expect(sms).toContain(ACK_URL);
    });
  });

  it('keep the acknowledgement link of an alert SMS when a very long public URL leaves no room for both links', () => {
    const longUrl = 'https://vigie.conseil-departemental-de-la-reunion.example.fr';
    const message = messageInputOf(
      sources('alert.notification', { episodeUrl: `${longUrl}/episodes/${FUGUE_ID}`, ackUrl: `${longUrl}/a/${'x'.repeat(52)}.${'y'.repeat(43)}` }),
    );
    const sms = smsMessage(message);
    expect(sms.length).toBeLessThanOrEqual(300);
    expect(sms).toContain(`${longUrl}/a/`);
  });

  it('tell a health reason only as such, once, with the other reasons in words', () => {
    const { email } = texts('alert.notification');
    expect(email.split(HEALTH_REASON.label)).toHaveLength(3); // once in the text, once in the HTML
    expect(email).toContain(ruleDefinition('AGE_13_14').label);
    expect(email).toContain(ruleDefinition('HOTEL_OR_RENTAL').label);
    expect(JSON.parse(texts('alert.notification').webhook).reasonCodes).toEqual(['HEALTH', 'AGE_13_14', 'HOTEL_OR_RENTAL']);
  });

  it.each(ALERT_RESOLUTIONS)('put the resolution %s in words, never as its code nor as « levée »', (resolution) => {
    expect(RESOLUTION_WORDS[resolution]).toMatch(/^[A-ZÉ].+ : .+/);
    const { email, sms } = texts('alert.resolved', { alert: alert({ state: 'resolved', resolution }) });
    for (const text of [email, sms]) {
      expect(text.toLowerCase()).toContain(RESOLUTION_WORDS[resolution].toLowerCase());
      expect(text).not.toContain(resolution === 'level_lowered' ? resolution : `(${resolution})`);
      expect(text).not.toMatch(/levée|Alerte levée/i);
    }
  });

  it('says of a lowered level that the search goes on', () => {
    expect(texts('alert.resolved', { alert: alert({ state: 'resolved', resolution: 'level_lowered' }) }).email).toContain(
      "Niveau abaissé : l'alerte est arrêtée, la recherche continue",
    );
  });

  it('word the return without a gendered noun: the first name, or « de retour au foyer »', () => {
    const { email, sms } = texts('fugue.returned');
    expect(email).toContain('Testprenom est de retour au foyer');
    expect(sms).toContain('de retour au foyer');
    for (const text of [email, sms]) expect(text).not.toMatch(/Le jeune est|jeune de retour|\(e\)/);
  });

  it('give every news fact in words, with the time in the département time zone', () => {
    const { email } = texts('alert.news');
    for (const type of NEWS_FACT_TYPES) expect(email).toContain(NEWS_FACT_WORDS[type]);
    expect(email).toContain('15/01/2026 à 18:00'); // 14:00 UTC in Indian/Reunion
    for (const type of NEWS_FACT_TYPES) expect(email).not.toMatch(new RegExp(`\\b${type}\\b`));
  });

  it('tell who else was alerted, by role and name, and whether someone acknowledged', () => {
    const { email } = texts('alert.news', {
      alert: alert({ state: 'acknowledged', acknowledgedAt: new Date('2026-01-15T14:10:00Z'), acknowledgedByReferentId: 'other' }),
      acknowledger: { role: 'child_protection', displayName: 'Cellule ASE' },
    });
    expect(email).toContain("Autres personnes alertées : Cellule ASE (protection de l'enfance)");
    expect(email).not.toContain('Brigade Moi');
    expect(email).toContain("Accusé de réception : oui, le 15/01/2026 à 18:10 par Cellule ASE (protection de l'enfance)");
  });
});
