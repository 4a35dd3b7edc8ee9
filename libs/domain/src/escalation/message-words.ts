import { AlertResolution, ReferentRole } from '@vigie/persistence';
import { DepartedWith, isRuleCode, ruleDefinition, RuleCode } from '../triage/vocabulary';

/**
 * The words of the codes a message shows. A message never prints a raw code: every resolution,
 * role and departure has words here, and the maps are total over their code lists, so a new code
 * without words does not compile (and message-texts.spec.ts fails).
 */

/** Why an alert ended, as the people it reached read it: what stops, and what goes on. */
export const RESOLUTION_WORDS: Readonly<Record<AlertResolution, string>> = {
  located: "Localisation signalée : l'alerte est arrêtée, le retour au foyer est à organiser",
  returned: "De retour au foyer : l'alerte est arrêtée",
  closed: "Épisode clos : l'alerte est arrêtée",
  cancelled: "Déclaration annulée : l'alerte est arrêtée",
  level_lowered: "Niveau abaissé : l'alerte est arrêtée, la recherche continue",
};

export const ROLE_WORDS: Readonly<Record<ReferentRole, string>> = {
  foyer_duty: 'permanence du foyer',
  child_protection: "protection de l'enfance",
  department_duty: 'permanence départementale',
  police: 'police ou gendarmerie',
  prosecutor: 'parquet',
};

export const DEPARTED_WITH_WORDS: Readonly<Record<DepartedWith, string>> = {
  alone: 'sans personne',
  peers: "avec d'autres jeunes",
  adult: 'avec un adulte',
  vehicle: "à bord d'un véhicule",
  unknown: 'inconnu',
};

/**
 * Reasons that are health data (a vital treatment, a disability, a pregnancy or infection,
 * substance use): a message says only that a health reason weighs, in one line, and the details
 * stay behind the sign-in. A suicide risk is told as such: it is a danger the searchers act on
 * at once, like a third party's threat, not a condition of the youth's file.
 */
export const HEALTH_REASON_CODES: ReadonlySet<string> = new Set<RuleCode>(['VITAL_TREATMENT', 'DISABILITY', 'PREGNANCY_OR_STI', 'SUBSTANCE_USE']);

/** The one reason a message shows for all health reasons, and its code in a referent webhook. */
export const HEALTH_REASON = { code: 'HEALTH', label: 'Motif de santé : détails sur la fiche de l’épisode (connexion requise)' } as const;

/** The reasons of a message, in words, the health ones folded into HEALTH_REASON. */
export function reasonsInWords(reasons: readonly { code: string; label?: string }[]): { code: string; label: string }[] {
  const words: { code: string; label: string }[] = [];
  let health = false;
  for (const reason of reasons) {
    if (HEALTH_REASON_CODES.has(reason.code)) {
      if (!health) words.push({ ...HEALTH_REASON });
      health = true;
      continue;
    }
    words.push({ code: reason.code, label: isRuleCode(reason.code) ? ruleDefinition(reason.code).label : (reason.label ?? reason.code) });
  }
  return words;
}

/** What a new fact on an episode is, in the words of a `news` message. PERSISTED in `notifications.facts`: never rename a type. */
export const NEWS_FACT_TYPES = ['sighting', 'update', 'hotline', 'level_raised', 'level_lowered', 'located', 'returned', 'linked'] as const;
export type NewsFactType = (typeof NEWS_FACT_TYPES)[number];

export const NEWS_FACT_WORDS: Readonly<Record<NewsFactType, string>> = {
  sighting: "Nouvelle observation signalée (lieu et heure sur la fiche de l'épisode)",
  update: "Nouvelles informations ajoutées à l'épisode",
  hotline: 'Signalement reçu du 116 000',
  level_raised: 'Niveau relevé : fugue inquiétante',
  level_lowered: 'Niveau abaissé : fugue classique, la recherche continue',
  located: 'Localisation signalée : le retour au foyer est à organiser',
  returned: 'De retour au foyer : fin de la fugue',
  linked: "Épisode lié à un autre épisode (motifs sur la fiche de l'épisode)",
};
