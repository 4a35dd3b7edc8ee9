import { SMS_MAX_LENGTH } from './sms.channel';

/**
 * What a notification is about: an alert step, the end of an alert, the information sent for a
 * routine episode, a test of a referent's channel, the youth's return, the return interview's
 * reminder and overdue notices, or what an interview revealed.
 */
export type MessageKind = 'alert' | 'resolved' | 'routine' | 'test' | 'returned' | 'interview_reminder' | 'interview_overdue' | 'disclosure';

/** Everything a notification may say about one episode; the builders decide what each channel shows. */
export interface AlertMessageInput {
  kind: MessageKind;
  departmentCode: string;
  departmentName: string;
  level: 'routine' | 'worrying';
  /** Index of the escalation step in the policy, from 0; shown to people from 1 (« étape 1 »). */
  step: number;
  /** The triage reasons, each with its French label; for a disclosure, what the interview revealed. */
  reasons: readonly { code: string; label: string }[];
  firstName: string;
  lastName: string;
  age: number;
  /** The signed acknowledgement link of the alert. */
  ackUrl?: string;
  /** When a routine episode is reviewed again. */
  nextReviewAt?: Date | string | null;
  /** Why an alert was resolved: located, returned, closed or cancelled. */
  resolution?: string;
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

const RESOLUTION_LABELS: Record<string, string> = {
  located: 'jeune localisé(e)',
  returned: 'jeune de retour',
  closed: 'épisode clos',
  cancelled: 'déclaration annulée',
};

const FOUND_BY_LABELS: Record<string, string> = {
  self: 'revenu(e) par ses propres moyens',
  police: 'retrouvé(e) par la police ou la gendarmerie',
  family: 'ramené(e) par la famille',
  hotline: 'retrouvé(e) grâce au 116 000',
  other: 'autre',
};

const CONFIDENTIAL =
  "Message automatique de Vigie. Informations confidentielles relevant de la protection de l'enfance : ne pas transférer.";

/** The e-mail of a notification, in French. The subject names no one; the body gives the first name and the initial of the last name. */
export function emailMessage(input: AlertMessageInput): EmailMessage {
  const content = emailContent(input);
  const text = [content.heading, '', ...content.facts.map(([label, value]) => `${label} : ${value}`)];
  const reasonsTitle = content.reasonsTitle ?? 'Motifs';
  if (content.reasons) text.push(`${reasonsTitle} :`, ...content.reasons.map((reason) => `- ${reason}`));
  if (content.action) text.push('', `${content.action.text} : ${content.action.url}`);
  text.push('', CONFIDENTIAL);

  const html = ['<!doctype html>', '<html lang="fr"><body>', `<p><strong>${escapeHtml(content.heading)}</strong></p>`, '<p>'];
  html.push(content.facts.map(([label, value]) => `${escapeHtml(label)} : ${escapeHtml(value)}`).join('<br>\n'), '</p>');
  if (content.reasons) {
    html.push(`<p>${escapeHtml(reasonsTitle)} :</p>`, '<ul>', ...content.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`), '</ul>');
  }
  if (content.action) {
    const href = escapeHtml(content.action.url);
    html.push(`<p>${escapeHtml(content.action.text)} : <a href="${href}">${href}</a></p>`);
  }
  html.push(`<p><small>${escapeHtml(CONFIDENTIAL)}</small></p>`, '</body></html>');

  const subject = oneLine(`[Vigie] ${[content.title, department(input), ...(content.subjectEnd ?? [])].join(' – ')}`);
  return { subject, text: text.join('\n'), html: html.join('\n') };
}

interface EmailContent {
  title: string;
  /** Shown after the département in the subject. */
  subjectEnd?: string[];
  heading: string;
  facts: [label: string, value: string][];
  reasons?: string[];
  /** The heading of the list of reasons; « Motifs » by default. */
  reasonsTitle?: string;
  action?: { text: string; url: string };
}

function emailContent(input: AlertMessageInput): EmailContent {
  const youth: [string, string] = ['Jeune', `${input.firstName} ${initial(input.lastName)}, ${ageText(input.age)}`];
  const where: [string, string] = ['Département', department(input)];
  const reasons = input.reasons.length > 0 ? input.reasons.map((reason) => reason.label) : ["aucun motif d'inquiétude relevé"];
  switch (input.kind) {
    case 'alert': {
      const level = capitalize(LEVEL_LABELS[input.level]);
      const action = webUrl(input.ackUrl) ? { text: "Accuser réception de l'alerte", url: input.ackUrl as string } : undefined;
      return { title: level, subjectEnd: [`étape ${input.step + 1}`], heading: `${level} : étape ${input.step + 1} de l'alerte.`, facts: [youth, where], reasons, action };
    }
    case 'resolved':
      return { title: 'Alerte levée', heading: `Alerte levée (${resolutionText(input.resolution)}).`, facts: [youth, where] };
    case 'routine': {
      const facts = [youth, where];
      if (input.nextReviewAt) facts.push(['Prochain réexamen', formatTime(input.nextReviewAt, input.timeZone, true)]);
      return { title: 'Fugue classique', heading: 'Fugue classique déclarée : pour information.', facts, reasons };
    }
    case 'test':
      return { title: 'Message de test', heading: 'Message de test : ce canal de notification fonctionne.', facts: [where] };
    case 'returned': {
      const facts = [youth, where];
      if (input.returnedAt) facts.push(['Retour', formatTime(input.returnedAt, input.timeZone, true)]);
      if (input.foundBy) facts.push(['Circonstances', foundByText(input.foundBy)]);
      return { title: 'Retour du jeune', heading: 'Le jeune est de retour : fin de la fugue.', facts };
    }
    case 'interview_reminder': {
      const facts = [youth, where];
      if (input.dueAt) facts.push(['Échéance', formatTime(input.dueAt, input.timeZone, true)]);
      return { title: 'Entretien de retour à tenir', heading: "L'entretien de retour de fugue doit être tenu dans les 72 heures suivant le retour.", facts };
    }
    case 'interview_overdue': {
      const facts = [youth, where];
      if (input.dueAt) facts.push(['Échéance dépassée', formatTime(input.dueAt, input.timeZone, true)]);
      return { title: 'Entretien de retour en retard', heading: "L'entretien de retour de fugue n'a pas été enregistré dans les 72 heures suivant le retour.", facts };
    }
    case 'disclosure':
      return {
        title: "Révélation lors d'un entretien de retour",
        heading: "Révélation lors d'un entretien de retour de fugue : un signalement au procureur de la République est à examiner.",
        facts: [youth, where],
        reasons: input.reasons.map((reason) => reason.label),
        reasonsTitle: 'Révélé',
      };
  }
}

/**
 * The SMS of a notification, at most SMS_MAX_LENGTH characters: the first name's initial only,
 * the level, the département and the acknowledgement link. Reasons are cut to fit, never the link.
 * @throws RangeError when the link alone leaves no room in an SMS.
 */
export function smsMessage(input: AlertMessageInput): string {
  const youth = `Jeune ${initial(input.firstName)}, ${ageText(input.age)}`;
  let head: string[];
  const tail: string[] = [];
  switch (input.kind) {
    case 'alert':
      head = [`Vigie : ${LEVEL_LABELS[input.level]}, %DEPT%, étape ${input.step + 1}.`, `${youth}.`];
      break;
    case 'resolved':
      head = [`Vigie : alerte levée (${resolutionText(input.resolution)}), %DEPT%.`, `${youth}.`];
      break;
    case 'routine':
      head = ['Vigie : fugue classique, %DEPT%.', `${youth}.`];
      if (input.nextReviewAt) tail.push(`Réexamen le ${formatTime(input.nextReviewAt, input.timeZone, false)}.`);
      break;
    case 'test':
      return oneLine(`Vigie : message de test (${department(input)}). Ce canal fonctionne.`).slice(0, SMS_MAX_LENGTH);
    case 'returned':
      head = ['Vigie : jeune de retour, fin de la fugue, %DEPT%.', `${youth}.`];
      if (input.returnedAt) tail.push(`Retour le ${formatTime(input.returnedAt, input.timeZone, false)}.`);
      break;
    case 'interview_reminder':
      head = ['Vigie : entretien de retour de fugue à tenir, %DEPT%.', `${youth}.`];
      if (input.dueAt) tail.push(`Échéance le ${formatTime(input.dueAt, input.timeZone, false)}.`);
      break;
    case 'interview_overdue':
      head = ['Vigie : entretien de retour de fugue en retard, %DEPT%.', `${youth}.`];
      if (input.dueAt) tail.push(`Échéance dépassée le ${formatTime(input.dueAt, input.timeZone, false)}.`);
      break;
    case 'disclosure':
      head = ["Vigie : révélation lors d'un entretien de retour, %DEPT%.", `${youth}.`];
      tail.push('Signalement au procureur à examiner.');
      break;
  }
  if (input.kind === 'alert' && webUrl(input.ackUrl)) tail.push(`Accusé de réception : ${input.ackUrl}`);

  const withReasons = input.kind === 'alert' || input.kind === 'routine' || input.kind === 'disclosure';
  const prefix = input.kind === 'disclosure' ? 'Révélé : ' : 'Motifs : ';
  for (const where of [department(input), input.departmentCode]) {
    const fixed = oneLine([...head, ...tail].join(' ').replace('%DEPT%', () => where));
    const headText = oneLine(head.join(' ').replace('%DEPT%', () => where));
    if (fixed.length > SMS_MAX_LENGTH) continue;
    const room = SMS_MAX_LENGTH - fixed.length - 1;
    const labels = input.reasons.map((reason) => oneLine(reason.label)).filter(Boolean);
    const reasons = withReasons ? reasonsWithin(labels, room, prefix) : '';
    return [headText, reasons, ...tail].filter(Boolean).join(' ');
  }
  throw new RangeError(`the acknowledgement link does not fit in an SMS of ${SMS_MAX_LENGTH} characters`);
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

function initial(name: string): string {
  const first = [...name.trim()][0];
  return first ? `${first.toLocaleUpperCase('fr-FR')}.` : '';
}

function ageText(age: number): string {
  if (age < 1) return "moins d'un an";
  return `${age} an${age >= 2 ? 's' : ''}`;
}

function foundByText(foundBy: string): string {
  return FOUND_BY_LABELS[foundBy] ?? foundBy;
}

function resolutionText(resolution: string | undefined): string {
  return resolution ? (RESOLUTION_LABELS[resolution] ?? resolution) : 'épisode terminé';
}

function formatTime(value: Date | string, timeZone = 'Europe/Paris', withYear: boolean): string {
  const parts = new Intl.DateTimeFormat('fr-FR', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: withYear ? 'numeric' : undefined,
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(value));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const date = withYear ? `${part('day')}/${part('month')}/${part('year')}` : `${part('day')}/${part('month')}`;
  return `${date} à ${part('hour')}:${part('minute')}`;
}

/** Only http(s) links are shown: anything else could not be a Vigie acknowledgement link. */
function webUrl(url: string | undefined): boolean {
  return !!url && /^https?:\/\/\S+$/.test(url);
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase('fr-FR') + text.slice(1);
}

/** Collapses line breaks and runs of spaces: subjects and SMS are single lines. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
