import { SMS_MAX_LENGTH } from './sms.channel';

/**
 * What a notification is about: an alert step, the end of an alert, new facts on an alert already
 * sent, the information sent for a routine episode, a test of a referent's channel, the youth's
 * return, the return interview's reminder and overdue notices, or what an interview revealed.
 */
export type MessageKind = 'alert' | 'resolved' | 'news' | 'routine' | 'test' | 'returned' | 'interview_reminder' | 'interview_overdue' | 'disclosure' | 'foyer_cluster';

/** One fact reported to the people an alert reached, in words, at its time. */
export interface NewsFact {
  at: Date | string;
  /** What happened, in words (« Nouvelle observation signalée »). */
  text: string;
}

/**
 * Everything a notification may say about one episode, already in words; the builders decide
 * what each channel shows. It holds no last name, no health detail, no description, photo or
 * clothing: what is not here cannot leak into a message.
 */
export interface AlertMessageInput {
  kind: MessageKind;
  departmentCode: string;
  departmentName: string;
  level: 'routine' | 'worrying';
  /** Index of the escalation step in the policy, from 0; shown to people from 1 (« étape 1 »). */
  step: number;
  /** The reasons in words, health reasons already folded into one line; for a disclosure, what the interview revealed. */
  reasons: readonly { code: string; label: string }[];
  firstName: string;
  /** The initial of the last name (« D. »), never the name. */
  lastInitial: string;
  age: number;
  /** The episode's page in the console; opening it asks to sign in when needed. */
  episodeUrl?: string;
  /** The signed acknowledgement link of the alert. */
  ackUrl?: string;
  foyerName?: string | null;
  foyerPhone?: string | null;
  noticedMissingAt?: Date | string | null;
  lastSeenAt?: Date | string | null;
  lastSeenPlace?: string | null;
  /** With whom the youth left, in words. */
  departedWith?: string | null;
  /** The other people the alert reached: role in words and name; never a contact detail. */
  alerted?: readonly { role: string; name: string }[];
  /** Whether someone acknowledged the alert, when and who (role in words and name). */
  acknowledged?: { at: Date | string; by: string | null } | null;
  /** When a routine episode is reviewed again. */
  nextReviewAt?: Date | string | null;
  /** Why an alert was resolved, in words (« Niveau abaissé : l'alerte est arrêtée, la recherche continue »). */
  resolutionText?: string;
  /** The facts of a `news` message, oldest first. */
  news?: readonly NewsFact[];
  /** IANA time zone of the département, for the times shown; Europe/Paris by default. */
  timeZone?: string;
  /** When the youth came back, and how (`self`, `police`, `family`, `hotline`, `other`). */
  returnedAt?: Date | string | null;
  foundBy?: string | null;
  /** When the return interview is due (72 h after the return). */
  dueAt?: Date | string | null;
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

const LEVEL_LABELS = { worrying: 'fugue inquiétante', routine: 'fugue classique' } as const;

/** What a level means for the person who reads it. */
export const LEVEL_MEANINGS = {
  worrying: "un danger est possible, la recherche est urgente ; l'alerte monte par étapes jusqu'à ce que quelqu'un en accuse réception",
  routine: 'aucun signe de danger relevé à ce stade ; le foyer suit la situation et Vigie la réexamine',
} as const;

const FOUND_BY_LABELS: Record<string, string> = {
  self: 'retour par ses propres moyens',
  police: 'retour avec la police ou la gendarmerie',
  family: 'retour avec la famille',
  hotline: 'retour grâce au 116 000',
  other: 'autres circonstances',
};

const CONFIDENTIAL =
  "Message automatique de Vigie. Informations confidentielles relevant de la protection de l'enfance : ne pas transférer.";

const EPISODE_LINK_TEXT = "Voir l'épisode (connexion requise)";

/** The e-mail of a notification, in French. The subject names no one; the body gives the first name and the initial of the last name. */
export function emailMessage(input: AlertMessageInput): EmailMessage {
  const content = emailContent(input);
  const text = [content.heading, '', ...content.facts.map(([label, value]) => `${label} : ${value}`)];
  const reasonsTitle = content.reasonsTitle ?? 'Motifs';
  if (content.reasons) text.push(`${reasonsTitle} :`, ...content.reasons.map((reason) => `- ${reason}`));
  if (content.after) text.push(...content.after.map(([label, value]) => `${label} : ${value}`));
  const actions = content.actions.filter((action) => webUrl(action.url));
  if (actions.length > 0) text.push('', ...actions.map((action) => `${action.text} : ${action.url}`));
  text.push('', CONFIDENTIAL);

  const html = ['<!doctype html>', '<html lang="fr"><body>', `<p><strong>${escapeHtml(content.heading)}</strong></p>`, '<p>'];
  html.push(content.facts.map(([label, value]) => `${escapeHtml(label)} : ${escapeHtml(value)}`).join('<br>\n'), '</p>');
  if (content.reasons) {
    html.push(`<p>${escapeHtml(reasonsTitle)} :</p>`, '<ul>', ...content.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`), '</ul>');
  }
  if (content.after) html.push('<p>', content.after.map(([label, value]) => `${escapeHtml(label)} : ${escapeHtml(value)}`).join('<br>\n'), '</p>');
  for (const action of actions) {
    const href = escapeHtml(action.url as string);
    html.push(`<p>${escapeHtml(action.text)} : <a href="${href}">${href}</a></p>`);
  }
  html.push(`<p><small>${escapeHtml(CONFIDENTIAL)}</small></p>`, '</body></html>');

  const subject = oneLine(`[Vigie] ${[content.title, department(input), ...(content.subjectEnd ?? [])].join(' – ')}`);
  return { subject, text: text.join('\n'), html: html.join('\n') };
}

type Fact = [label: string, value: string];

interface EmailContent {
  title: string;
  /** Shown after the département in the subject. */
  subjectEnd?: string[];
  heading: string;
  facts: Fact[];
  reasons?: string[];
  /** The heading of the list of reasons; « Motifs » by default. */
  reasonsTitle?: string;
  /** Facts shown after the reasons: who else was alerted, the acknowledgement. */
  after?: Fact[];
  actions: { text: string; url: string | undefined }[];
}

function emailContent(input: AlertMessageInput): EmailContent {
  const youth: Fact = ['Jeune', `${youthName(input)}, ${ageText(input.age)}`];
  const where: Fact = ['Département', department(input)];
  const episode = { text: EPISODE_LINK_TEXT, url: input.episodeUrl };
  const reasons = input.reasons.length > 0 ? input.reasons.map((reason) => reason.label) : ["aucun motif d'inquiétude relevé"];
  const time = (value: Date | string) => formatTime(value, input.timeZone, true);
  switch (input.kind) {
    case 'alert': {
      const level = capitalize(LEVEL_LABELS[input.level]);
      return {
        title: level,
        subjectEnd: [`étape ${input.step + 1}`],
        heading: `${level} : étape ${input.step + 1} de l'alerte.`,
        facts: [youth, ...searchFacts(input), where, ['Niveau', `${LEVEL_LABELS[input.level]} — ${LEVEL_MEANINGS[input.level]}`]],
        reasons,
        after: alertFacts(input),
        actions: [{ text: "Accuser réception de l'alerte", url: input.ackUrl }, episode],
      };
    }
    case 'resolved': {
      const words = input.resolutionText ?? "Fin de l'alerte";
      return { title: "Fin de l'alerte", heading: `${words}.`, facts: [youth, where], after: alertFacts(input), actions: [episode] };
    }
    case 'news': {
      const facts: Fact[] = (input.news ?? []).map((fact) => [time(fact.at), fact.text]);
      return {
        title: "Du nouveau sur l'alerte",
        heading: `Du nouveau sur la fugue de ${youthName(input)} : vous avez reçu l'alerte.`,
        facts: [...facts, youth, where, ['Niveau actuel', LEVEL_LABELS[input.level]]],
        after: alertFacts(input),
        actions: [episode],
      };
    }
    case 'routine': {
      const facts: Fact[] = [youth, ...searchFacts(input), where, ['Niveau', `${LEVEL_LABELS[input.level]} — ${LEVEL_MEANINGS[input.level]}`]];
      if (input.nextReviewAt) facts.push(['Prochain réexamen', time(input.nextReviewAt)]);
      return { title: 'Fugue classique', heading: 'Fugue classique déclarée : pour information.', facts, reasons, actions: [episode] };
    }
    case 'test':
      return { title: 'Message de test', heading: 'Message de test : ce canal de notification fonctionne.', facts: [where], actions: [] };
    case 'returned': {
      const facts = [youth, where];
      if (input.returnedAt) facts.push(['Retour', time(input.returnedAt)]);
      if (input.foundBy) facts.push(['Circonstances', foundByText(input.foundBy)]);
      return { title: 'Retour au foyer', heading: `${input.firstName} est de retour au foyer : fin de la fugue.`, facts, actions: [episode] };
    }
    case 'interview_reminder': {
      const facts = [youth, where];
      if (input.dueAt) facts.push(['Échéance', time(input.dueAt)]);
      return {
        title: 'Entretien de retour à tenir',
        heading: "L'entretien de retour de fugue doit être tenu dans les 72 heures suivant le retour.",
        facts,
        actions: [episode],
      };
    }
    case 'interview_overdue': {
      const facts = [youth, where];
      if (input.dueAt) facts.push(['Échéance dépassée', time(input.dueAt)]);
      return {
        title: 'Entretien de retour en retard',
        heading: "L'entretien de retour de fugue n'a pas été enregistré dans les 72 heures suivant le retour.",
        facts,
        actions: [episode],
      };
    }
    case 'disclosure':
      return {
        title: "Révélation lors d'un entretien de retour",
        heading: "Révélation lors d'un entretien de retour de fugue : un signalement au procureur de la République est à examiner.",
        facts: [youth, where],
        reasons: input.reasons.map((reason) => reason.label),
        reasonsTitle: 'Révélé',
        actions: [episode],
      };
    case 'foyer_cluster':
      return {
        title: 'Possible recrutement dans un foyer',
        heading: `${foyerClusterText(input.foyerName)}.`,
        facts: [where],
        actions: [episode],
      };
  }
}

/** What a searcher needs first: the foyer and its phone, when the absence was noticed, last seen when and where, with whom. */
function searchFacts(input: AlertMessageInput): Fact[] {
  const facts: Fact[] = [];
  const time = (value: Date | string) => formatTime(value, input.timeZone, true);
  if (input.foyerName) facts.push(['Foyer', input.foyerPhone ? `${input.foyerName}, tél. ${input.foyerPhone}` : input.foyerName]);
  if (input.noticedMissingAt) facts.push(['Absence constatée', time(input.noticedMissingAt)]);
  const lastSeen = [input.lastSeenAt ? time(input.lastSeenAt) : null, input.lastSeenPlace ? oneLine(input.lastSeenPlace) : null].filter(Boolean);
  if (lastSeen.length > 0) facts.push(['Dernière observation', lastSeen.join(', ')]);
  if (input.departedWith) facts.push(['Départ', input.departedWith]);
  return facts;
}

/** Who else the alert reached, and whether someone already acknowledged it. */
function alertFacts(input: AlertMessageInput): Fact[] {
  const facts: Fact[] = [];
  if (input.alerted) {
    const others = input.alerted.map((person) => `${person.name} (${person.role})`);
    facts.push(['Autres personnes alertées', others.length > 0 ? others.join(', ') : 'aucune pour le moment']);
  }
  if (input.acknowledged !== undefined) {
    const ack = input.acknowledged;
    facts.push(['Accusé de réception', ack ? `oui, le ${formatTime(ack.at, input.timeZone, true)}${ack.by ? ` par ${ack.by}` : ''}` : 'pas encore']);
  }
  return facts;
}

/**
 * The SMS of a notification, at most SMS_MAX_LENGTH characters: the first name's initial only,
 * the level, the département, the episode link and, for an alert, the acknowledgement link.
 * Optional facts and reasons are cut to fit, never a link; only when VIGIE_PUBLIC_URL is too long
 * for both links (over about 34 characters) does an alert's SMS keep the acknowledgement link alone.
 * @throws RangeError when the links alone leave no room in an SMS.
 */
export function smsMessage(input: AlertMessageInput): string {
  const youth = `Jeune ${initial(input.firstName)}, ${ageText(input.age)}`;
  const sms = (value: Date | string) => formatTime(value, input.timeZone, false);
  let head: string[];
  const optional: string[] = [];
  switch (input.kind) {
    case 'alert':
      head = [`Vigie : ${LEVEL_LABELS[input.level]}, %DEPT%, étape ${input.step + 1}.`, `${youth}.`];
      if (input.noticedMissingAt) optional.push(`Absence constatée le ${sms(input.noticedMissingAt)}.`);
      break;
    case 'resolved':
      head = [`Vigie, %DEPT% : ${lowerFirst(input.resolutionText ?? "fin de l'alerte")}.`, `${youth}.`];
      break;
    case 'news': {
      const facts = input.news ?? [];
      const last = facts[facts.length - 1];
      head = [`Vigie : du nouveau sur l'alerte, %DEPT%.`, `${youth}.`];
      if (last) head.push(`${last.text} (${sms(last.at)})${facts.length > 1 ? ` et ${facts.length - 1} autre${facts.length > 2 ? 's' : ''} fait${facts.length > 2 ? 's' : ''}` : ''}.`);
      break;
    }
    case 'routine':
      head = ['Vigie : fugue classique, %DEPT%.', `${youth}.`];
      if (input.nextReviewAt) optional.push(`Réexamen le ${sms(input.nextReviewAt)}.`);
      break;
    case 'test':
      return oneLine(`Vigie : message de test (${department(input)}). Ce canal fonctionne.`).slice(0, SMS_MAX_LENGTH);
    case 'returned':
      head = ['Vigie : de retour au foyer, fin de la fugue, %DEPT%.', `${youth}.`];
      if (input.returnedAt) optional.push(`Retour le ${sms(input.returnedAt)}.`);
      break;
    case 'interview_reminder':
      head = ['Vigie : entretien de retour de fugue à tenir, %DEPT%.', `${youth}.`];
      if (input.dueAt) optional.push(`Échéance le ${sms(input.dueAt)}.`);
      break;
    case 'interview_overdue':
      head = ['Vigie : entretien de retour de fugue en retard, %DEPT%.', `${youth}.`];
      if (input.dueAt) optional.push(`Échéance dépassée le ${sms(input.dueAt)}.`);
      break;
    case 'disclosure':
      head = ["Vigie : révélation lors d'un entretien de retour, %DEPT%.", `${youth}.`, 'Signalement au procureur à examiner.'];
      break;
    case 'foyer_cluster':
      head = [`Vigie, %DEPT% : ${foyerClusterText(input.foyerName)}.`];
      break;
  }
  const ack = input.kind === 'alert' && webUrl(input.ackUrl) ? `Accusé de réception : ${input.ackUrl}` : null;
  const episode = webUrl(input.episodeUrl) ? `Fiche : ${input.episodeUrl}` : null;
  // Both links when they fit; with a very long VIGIE_PUBLIC_URL, an alert keeps the one-tap acknowledgement.
  const linkChoices = [[ack, episode], ...(ack && episode ? [[ack]] : [])].map((links) => links.filter((l): l is string => !!l).join(' '));

  const withReasons = input.kind === 'alert' || input.kind === 'routine' || input.kind === 'disclosure';
  const prefix = input.kind === 'disclosure' ? 'Révélé : ' : 'Motifs : ';
  for (const linkText of linkChoices) {
    for (const where of [department(input), input.departmentCode]) {
      const headText = oneLine(head.join(' ').replace('%DEPT%', () => where));
      const fixed = [headText, linkText].filter(Boolean).join(' ');
      if (fixed.length > SMS_MAX_LENGTH) continue;
      let room = SMS_MAX_LENGTH - fixed.length;
      const kept: string[] = [];
      for (const part of optional.map(oneLine)) {
        if (part.length + 1 > room) continue;
        kept.push(part);
        room -= part.length + 1;
      }
      const labels = input.reasons.map((reason) => oneLine(reason.label)).filter(Boolean);
      const reasons = withReasons ? reasonsWithin(labels, room - 1, prefix) : '';
      return [headText, ...kept, reasons, linkText].filter(Boolean).join(' ');
    }
  }
  throw new RangeError(`the links do not fit in an SMS of ${SMS_MAX_LENGTH} characters`);
}

/** « Motifs : a ; b ; c. » within `room` characters, whole labels first, cut with « … » when needed. */
function reasonsWithin(labels: string[], room: number, prefix: string): string {
  if (labels.length === 0) return '';
  const full = oneLine(`${prefix}${labels.join(' ; ')}.`);
  if (full.length <= room) return full;
  const shortest = `${prefix}…`;
  if (room < shortest.length + 3) return '';
  let kept = '';
  for (const label of labels) {
    const next = kept ? `${kept} ; ${label}` : label;
    if (oneLine(`${prefix}${next} …`).length > room) break;
    kept = next;
  }
  if (kept) return oneLine(`${prefix}${kept} …`);
  return `${oneLine(`${prefix}${labels[0]}`).slice(0, room - 1).trimEnd()}…`;
}

function department(input: AlertMessageInput): string {
  return `${input.departmentCode} ${input.departmentName}`.trim();
}

function youthName(input: AlertMessageInput): string {
  return [input.firstName, input.lastInitial].filter(Boolean).join(' ');
}

/** « D. » for « Dupont »: what a message shows of a name. */
export function initial(name: string): string {
  const first = [...name.trim()][0];
  return first ? `${first.toLocaleUpperCase('fr-FR')}.` : '';
}

function ageText(age: number): string {
  if (age < 1) return "moins d'un an";
  return `${age} an${age >= 2 ? 's' : ''}`;
}

function foundByText(foundBy: string): string {
  return FOUND_BY_LABELS[foundBy] ?? 'autres circonstances';
}

function formatTime(value: Date | string, timeZone = 'Europe/Paris', withYear: boolean): string {
  const parts = new Intl.DateTimeFormat('fr-FR', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: withYear ? 'numeric' : undefined,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(value));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const date = withYear ? `${part('day')}/${part('month')}/${part('year')}` : `${part('day')}/${part('month')}`;
  return `${date} à ${part('hour')}:${part('minute')}`;
}

/** Only http(s) links are shown: anything else could not be a Vigie link. */
function webUrl(url: string | undefined): boolean {
  return !!url && /^https?:\/\/\S+$/.test(url);
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase('fr-FR') + text.slice(1);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase('fr-FR') + text.slice(1);
}

/** Collapses line breaks and runs of spaces: subjects and SMS are single lines. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The foyer-cluster notice (spec/links.md § What a link does, 3): no youth is named. */
export function foyerClusterText(foyerName: string | null | undefined): string {
  return `Plusieurs jeunes du foyer ${foyerName ? oneLine(foyerName) : '(foyer inconnu)'} sont liés par des fugues récentes : possible recrutement`;
}
