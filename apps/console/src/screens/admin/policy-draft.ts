import {
  checkPolicy,
  coverage,
  REFERENT_ROLE_LIST,
  type CoverageFoyer,
  type CoverageReferent,
  type PolicyProblem,
  type PolicyRole,
  type PolicyShape,
} from '../../../../../libs/domain/src/escalation/policy-rules';

export { REFERENT_ROLE_LIST, type PolicyProblem, type PolicyRole, type PolicyShape };

/**
 * The escalation policy as its editor holds it: delays in minutes, as typed (a field may be empty
 * or wrong while being edited). The rules are the API's own (policy-rules.ts), applied to the
 * policy the draft would send.
 */
export interface PolicyDraft {
  steps: { afterMinutes: string; notify: PolicyRole[] }[];
  /** Empty: the last step is never repeated. */
  repeatEveryMinutes: string;
  maxRepeats: string;
  routine: PolicyRole[];
  disclosure: PolicyRole[];
  overdueInterview: PolicyRole[];
}

const minutes = (seconds: number): string => String(Math.round((seconds / 60) * 100) / 100);

/** A whole number of seconds from minutes as typed; the text itself when it is not a number (the rules refuse it). */
function seconds(text: string): number | string {
  const value = text.trim().replace(',', '.');
  if (value === '' || !/^-?\d+(\.\d+)?$/.test(value)) return text;
  return Math.round(Number(value) * 60 * 1000) / 1000;
}

function count(text: string): number | string {
  const value = text.trim();
  return /^-?\d+$/.test(value) ? Number(value) : text;
}

export function draftOf(policy: PolicyShape): PolicyDraft {
  return {
    steps: policy.worrying.steps.map((s) => ({ afterMinutes: minutes(s.afterSeconds), notify: [...s.notify] as PolicyRole[] })),
    repeatEveryMinutes: policy.worrying.repeatLastStepEverySeconds === null ? '' : minutes(policy.worrying.repeatLastStepEverySeconds),
    maxRepeats: String(policy.worrying.maxRepeats),
    routine: [...policy.routine.notify] as PolicyRole[],
    disclosure: [...policy.disclosure.notify] as PolicyRole[],
    overdueInterview: [...policy.overdueInterview.notify] as PolicyRole[],
  };
}

/** The body PUT /v1/departments/{code}/escalation-policy receives for this draft. */
export function bodyOf(draft: PolicyDraft): Record<string, unknown> {
  const repeat = draft.repeatEveryMinutes.trim() === '' ? null : seconds(draft.repeatEveryMinutes);
  return {
    worrying: {
      steps: draft.steps.map((s) => ({ afterSeconds: seconds(s.afterMinutes), notify: s.notify })),
      repeatLastStepEverySeconds: repeat,
      maxRepeats: repeat === null && draft.maxRepeats.trim() === '' ? 0 : count(draft.maxRepeats),
    },
    routine: { notify: draft.routine },
    disclosure: { notify: draft.disclosure },
    overdueInterview: { notify: draft.overdueInterview },
  };
}

/** What the API would refuse in this draft, field by field (its very rules); [] when it would accept it. */
export function problemsOf(draft: PolicyDraft): PolicyProblem[] {
  return checkPolicy(bodyOf(draft)).problems;
}

/** The problems grouped by field, each message in French. */
export function problemsByField(problems: readonly PolicyProblem[]): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const p of problems) (byField[p.field] ??= []).push(frenchProblem(p.message));
  return byField;
}

/** The API's words for a policy problem, in French (an unknown message is shown as it came). */
export function frenchProblem(message: string): string {
  if (message.startsWith('must be a list of 1 to 5 roles')) return 'Cochez au moins un rôle.';
  if (message.startsWith('unknown role')) return 'Un des rôles n’existe pas.';
  if (message === 'must not repeat a role') return 'Un rôle est cité deux fois.';
  if (message === 'must have 1 to 20 steps') return 'La politique compte de 1 à 20 étapes.';
  if (message.startsWith('must be a whole number of seconds from 0 to')) return 'Indiquez un délai en minutes, de 0 à 10 080 (une semaine), à la seconde près.';
  if (message === 'must be greater than the previous step') return 'Ce délai doit être plus long que celui de l’étape précédente.';
  if (message.startsWith('must be a whole number of seconds from 1 to')) return 'Indiquez un intervalle en minutes, de 1 seconde à une semaine, ou laissez vide pour ne jamais répéter.';
  if (message === 'must be a whole number from 0 to 100') return 'Indiquez un nombre entier de 0 à 100.';
  if (message === 'is not a known field') return 'Ce champ n’est pas reconnu.';
  return message;
}

/** The roles of the draft no referent of the département covers, and its open foyers without duty (the API's computation). */
export function draftCoverage(draft: PolicyDraft, referents: readonly CoverageReferent[], foyers: readonly CoverageFoyer[]) {
  const { policy } = checkPolicy(bodyOf(draft));
  return coverage(policy, referents, foyers);
}

/** The id of the input of a policy field (`worrying.steps.1.afterSeconds`) and of its error text. */
export function fieldId(field: string): string {
  return `politique-${field.replace(/\./g, '-')}`;
}
export function errorId(field: string): string {
  return `${fieldId(field)}-erreur`;
}

/** "à l’ouverture", "après 10 min", "après 1 h 30" for a delay in minutes as typed. */
export function delayWords(afterMinutes: string): string {
  const value = seconds(afterMinutes);
  if (typeof value !== 'number' || value < 0) return 'délai à préciser';
  if (value === 0) return 'dès l’ouverture de l’alerte';
  if (value < 60) return `après ${value} s`;
  const total = Math.round(value / 60);
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `après ${m} min`;
  return m === 0 ? `après ${h} h` : `après ${h} h ${String(m).padStart(2, '0')}`;
}
