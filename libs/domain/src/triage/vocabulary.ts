import { PLACE_KIND_LABELS, PLACE_KINDS, PlaceKind } from '../links/connections';
import { LINK_REASON_LABELS, LINK_REASONS, LinkReason } from '../links/link.rules';
import { RULESET_VERSION } from './triage.types';

/**
 * The closed vocabularies of ruleset 2026.1. Request validation accepts these codes and nothing
 * else, and GET /v1/vocabularies serves them as they are.
 * PERSISTED: codes are stored in episodes, profiles, interviews and classifications; never
 * rename one — retire it in a new ruleset version instead. Labels may be reworded freely.
 */

export interface VocabularyEntry<C extends string = string> {
  readonly code: C;
  readonly label: string;
  /** For codes that are also rules: how they weigh in the triage. */
  readonly kind?: 'critical' | 'aggravating';
  readonly weight?: number | null;
}

export const INDICATOR_CODES = [
  'SUICIDE_RISK',
  'THIRD_PARTY_DANGER',
  'EXPLOITATION_KNOWN',
  'PEER_EXPLOITED',
  'CLOTHING_LIFESTYLE_CHANGE',
  'UNEXPLAINED_MONEY_OR_GIFTS',
  'MULTIPLE_PHONES',
  'VEHICLE_NEAR_FOYER',
  'OLDER_PARTNER',
  'ONLINE_SOLICITATION',
  'HOTEL_OR_RENTAL',
  'VIOLENCE_SIGNS',
  'PREGNANCY_OR_STI',
  'ALLOWANCE_UNUSED',
  'BEHAVIOUR_CHANGE',
  'SCHOOL_DROPOUT',
  'SUBSTANCE_USE',
  'ADVERSE_WEATHER',
] as const;
export type IndicatorCode = (typeof INDICATOR_CODES)[number];

export const VULNERABILITY_CODES = [
  'DISABILITY',
  'UNACCOMPANIED_MINOR',
  'HISTORY_SEXUAL_VIOLENCE',
  'HISTORY_FAMILY_VIOLENCE',
  'SUBSTANCE_USE',
  'ERRANCE',
  'SCHOOL_DROPOUT',
] as const;
export type VulnerabilityCode = (typeof VULNERABILITY_CODES)[number];

export const DEPARTED_WITH_VALUES = ['alone', 'peers', 'adult', 'vehicle', 'unknown'] as const;
export type DepartedWith = (typeof DEPARTED_WITH_VALUES)[number];

/** What a return interview may record: the sexual-exploitation signals of the episode vocabulary. */
export const EXPLOITATION_INDICATOR_CODES = [
  'PEER_EXPLOITED',
  'CLOTHING_LIFESTYLE_CHANGE',
  'UNEXPLAINED_MONEY_OR_GIFTS',
  'MULTIPLE_PHONES',
  'VEHICLE_NEAR_FOYER',
  'OLDER_PARTNER',
  'ONLINE_SOLICITATION',
  'HOTEL_OR_RENTAL',
  'VIOLENCE_SIGNS',
  'PREGNANCY_OR_STI',
  'EXPLOITATION_KNOWN',
] as const satisfies readonly IndicatorCode[];
export type ExploitationIndicatorCode = (typeof EXPLOITATION_INDICATOR_CODES)[number];

export const CRITICAL_CODES = [
  'AGE_UNDER_13',
  'VITAL_TREATMENT',
  'DISABILITY',
  'SUICIDE_RISK',
  'THIRD_PARTY_DANGER',
  'EXPLOITATION_KNOWN',
  'STAFF_CONCERN',
  'LONG_ABSENCE',
  'REPEATED_FUGUES',
] as const;
export type CriticalCode = (typeof CRITICAL_CODES)[number];

export const AGGRAVATING_WEIGHTS = {
  AGE_13_14: 2,
  PEER_EXPLOITED: 3,
  PRIOR_EXPLOITATION_DISCLOSURE: 3,
  CLOTHING_LIFESTYLE_CHANGE: 2,
  UNEXPLAINED_MONEY_OR_GIFTS: 2,
  MULTIPLE_PHONES: 2,
  VEHICLE_NEAR_FOYER: 2,
  OLDER_PARTNER: 2,
  ONLINE_SOLICITATION: 2,
  HOTEL_OR_RENTAL: 2,
  VIOLENCE_SIGNS: 2,
  PREGNANCY_OR_STI: 2,
  PRIOR_WORRYING_EPISODE: 2,
  SHORT_REPEATED_FUGUES: 2,
  ALLOWANCE_UNUSED: 1,
  BEHAVIOUR_CHANGE: 1,
  SCHOOL_DROPOUT: 1,
  SUBSTANCE_USE: 1,
  HISTORY_SEXUAL_VIOLENCE: 1,
  HISTORY_FAMILY_VIOLENCE: 1,
  UNACCOMPANIED_MINOR: 1,
  ERRANCE: 1,
  NIGHT_DEPARTURE: 1,
  LEFT_WITHOUT_MEANS: 1,
  ADVERSE_WEATHER: 1,
} as const;
export type AggravatingCode = keyof typeof AGGRAVATING_WEIGHTS;

export type RuleCode = CriticalCode | AggravatingCode;

// One label per code: the same concept reads the same whether it is an indicator, a profile
// flag or the reason it produced.
const LABELS: Readonly<Record<IndicatorCode | VulnerabilityCode | RuleCode, string>> = {
  SUICIDE_RISK: 'Risque suicidaire (tentative récente, menace, lettre)',
  THIRD_PARTY_DANGER: 'Danger lié à un tiers (personne menaçante, enlèvement suspecté, victime d’une infraction)',
  EXPLOITATION_KNOWN: 'Exploitation sexuelle connue (contact avec un proxénète ou un réseau, révélation)',
  PEER_EXPLOITED: 'Lien avec un jeune connu comme exploité ou recruteur (départ ensemble, fréquentation)',
  CLOTHING_LIFESTYLE_CHANGE: 'Nouveaux vêtements, tenues de rechange ou changement de mode de vie',
  UNEXPLAINED_MONEY_OR_GIFTS: 'Argent, objets de luxe, cadeaux ou cartes prépayées d’origine inexpliquée',
  MULTIPLE_PHONES: 'Plusieurs téléphones',
  VEHICLE_NEAR_FOYER: 'Véhicule aperçu à proximité du foyer',
  OLDER_PARTNER: 'Relation avec un partenaire plus âgé (« lover boy »)',
  ONLINE_SOLICITATION: 'Sollicitation en ligne (images intimes demandées ou diffusées, chantage, annonces)',
  HOTEL_OR_RENTAL: 'Clés d’hôtel ou location de courte durée évoquée',
  VIOLENCE_SIGNS: 'Traces de violences physiques',
  PREGNANCY_OR_STI: 'Grossesse précoce ou infection sexuellement transmissible',
  ALLOWANCE_UNUSED: 'Pécule du foyer non utilisé',
  BEHAVIOUR_CHANGE: 'Changement de comportement',
  SCHOOL_DROPOUT: 'Décrochage scolaire',
  SUBSTANCE_USE: 'Consommation de produits (alcool, cannabis, protoxyde d’azote, cocaïne)',
  ADVERSE_WEATHER: 'Conditions météorologiques défavorables',
  DISABILITY: 'Handicap ou trouble du neurodéveloppement',
  UNACCOMPANIED_MINOR: 'Mineur non accompagné',
  HISTORY_SEXUAL_VIOLENCE: 'Antécédents de violences sexuelles',
  HISTORY_FAMILY_VIOLENCE: 'Antécédents de violences intrafamiliales',
  ERRANCE: 'Antécédents d’errance',
  AGE_UNDER_13: 'Moins de 13 ans',
  VITAL_TREATMENT: 'Traitement médical vital',
  STAFF_CONCERN: 'Inquiétude exprimée par les professionnels',
  LONG_ABSENCE: 'Absence prolongée (24 h avant 15 ans, 48 h ensuite)',
  REPEATED_FUGUES: 'Au moins trois fugues en 30 jours',
  AGE_13_14: '13 ou 14 ans',
  PRIOR_EXPLOITATION_DISCLOSURE: 'Exploitation révélée lors d’un entretien de retour dans l’année',
  PRIOR_WORRYING_EPISODE: 'Fugue inquiétante dans l’année écoulée',
  SHORT_REPEATED_FUGUES: 'Fugues courtes répétées (au moins deux de moins de 48 h en 90 jours)',
  NIGHT_DEPARTURE: 'Départ de nuit (entre 22 h et 6 h)',
  LEFT_WITHOUT_MEANS: 'Départ sans téléphone ni argent',
};

const DEPARTED_WITH_LABELS: Readonly<Record<DepartedWith, string>> = {
  alone: 'Seul(e)',
  peers: 'Avec d’autres jeunes',
  adult: 'Avec un adulte',
  vehicle: 'À bord d’un véhicule',
  unknown: 'Inconnu',
};

/**
 * What a return interview records besides exploitation indicators (integrations.md § Return
 * interview): why the youth left (push), what drew them away (pull), and the follow-up decided.
 * PERSISTED like every code here. The referrals are exactly the spec's list; push and pull
 * factors extend its examples with the usual reasons foyers record, and `OTHER`.
 */
export const PUSH_FACTOR_CODES = [
  'FAMILY_CONFLICT',
  'PLACEMENT_CONFLICT',
  'PEER_CONFLICT',
  'PLACEMENT_RULES',
  'PLACEMENT_REFUSAL',
  'SCHOOL_DIFFICULTIES',
  'VIOLENCE_EXPERIENCED',
  'MENTAL_HEALTH',
  'BOREDOM',
  'OTHER',
] as const;
export type PushFactorCode = (typeof PUSH_FACTOR_CODES)[number];

export const PULL_FACTOR_CODES = [
  'PEERS',
  'PARTNER',
  'EXPLOITATION',
  'FAMILY_VISIT',
  'SUBSTANCES',
  'MONEY_OR_GIFTS',
  'FREEDOM',
  'PARTY_OR_EVENT',
  'OTHER',
] as const;
export type PullFactorCode = (typeof PULL_FACTOR_CODES)[number];

export const REFERRAL_CODES = [
  'MEDICAL_CHECK',
  'PSYCHOLOGICAL_SUPPORT',
  'INFORMATION_PREOCCUPANTE',
  'SIGNALEMENT_PROCUREUR',
  'COMPLAINT_SUPPORT',
  'ADDICTION_SERVICE',
  'PLACEMENT_REVIEW',
] as const;
export type ReferralCode = (typeof REFERRAL_CODES)[number];

const PUSH_FACTOR_LABELS: Readonly<Record<PushFactorCode, string>> = {
  FAMILY_CONFLICT: 'Conflit familial',
  PLACEMENT_CONFLICT: 'Conflit avec l’équipe du lieu de placement',
  PEER_CONFLICT: 'Conflit avec d’autres jeunes, harcèlement',
  PLACEMENT_RULES: 'Refus des règles ou du cadre du lieu de placement',
  PLACEMENT_REFUSAL: 'Refus du placement ou d’un changement de placement',
  SCHOOL_DIFFICULTIES: 'Difficultés scolaires ou de formation',
  VIOLENCE_EXPERIENCED: 'Violences subies',
  MENTAL_HEALTH: 'Souffrance psychique',
  BOREDOM: 'Ennui, manque d’activités',
  OTHER: 'Autre',
};

const PULL_FACTOR_LABELS: Readonly<Record<PullFactorCode, string>> = {
  PEERS: 'Retrouver des amis ou d’autres jeunes',
  PARTNER: 'Retrouver un(e) petit(e) ami(e) ou un(e) partenaire',
  EXPLOITATION: 'Emprise d’un tiers, exploitation (prostitution, trafic)',
  FAMILY_VISIT: 'Voir sa famille',
  SUBSTANCES: 'Consommer des produits',
  MONEY_OR_GIFTS: 'Obtenir de l’argent ou des cadeaux',
  FREEDOM: 'Recherche de liberté, d’autonomie',
  PARTY_OR_EVENT: 'Fête, sortie ou événement',
  OTHER: 'Autre',
};

const REFERRAL_LABELS: Readonly<Record<ReferralCode, string>> = {
  MEDICAL_CHECK: 'Bilan médical',
  PSYCHOLOGICAL_SUPPORT: 'Soutien psychologique',
  INFORMATION_PREOCCUPANTE: 'Information préoccupante (cellule départementale)',
  SIGNALEMENT_PROCUREUR: 'Signalement au procureur de la République',
  COMPLAINT_SUPPORT: 'Accompagnement au dépôt de plainte',
  ADDICTION_SERVICE: 'Orientation vers un service d’addictologie',
  PLACEMENT_REVIEW: 'Réexamen du placement',
};

/** The French label of an episode-indicator code (exploitation indicators are such codes). */
export function indicatorLabel(code: IndicatorCode): string {
  return LABELS[code];
}

export interface RuleDefinition {
  readonly code: RuleCode;
  readonly kind: 'critical' | 'aggravating';
  /** null for a critical trigger. */
  readonly weight: number | null;
  readonly label: string;
}

function labelled<C extends keyof typeof LABELS>(codes: readonly C[]): readonly VocabularyEntry<C>[] {
  return Object.freeze(codes.map((code) => Object.freeze({ code, label: LABELS[code] })));
}

export const RULES: readonly RuleDefinition[] = Object.freeze([
  ...CRITICAL_CODES.map((code) => Object.freeze({ code, kind: 'critical' as const, weight: null, label: LABELS[code] })),
  ...(Object.keys(AGGRAVATING_WEIGHTS) as AggravatingCode[]).map((code) =>
    Object.freeze({ code, kind: 'aggravating' as const, weight: AGGRAVATING_WEIGHTS[code], label: LABELS[code] }),
  ),
]);

const RULES_BY_CODE: ReadonlyMap<string, RuleDefinition> = new Map(RULES.map((rule) => [rule.code, rule]));

export function ruleDefinition(code: RuleCode): RuleDefinition {
  return RULES_BY_CODE.get(code) as RuleDefinition;
}

/** Indicator and vulnerability codes are rules too: they are served with their kind and weight. */
function weighed<C extends IndicatorCode | VulnerabilityCode>(codes: readonly C[]): readonly VocabularyEntry<C>[] {
  return Object.freeze(
    codes.map((code) => {
      const rule = RULES_BY_CODE.get(code);
      return Object.freeze({ code, label: LABELS[code], kind: rule?.kind, weight: rule?.weight });
    }),
  );
}

/** The body of GET /v1/vocabularies. */
export const VOCABULARIES = Object.freeze({
  rulesetVersion: RULESET_VERSION,
  indicators: weighed(INDICATOR_CODES),
  vulnerabilities: weighed(VULNERABILITY_CODES),
  departedWith: Object.freeze(
    DEPARTED_WITH_VALUES.map((code) => Object.freeze({ code, label: DEPARTED_WITH_LABELS[code] })),
  ) as readonly VocabularyEntry<DepartedWith>[],
  exploitationIndicators: labelled(EXPLOITATION_INDICATOR_CODES),
  rules: RULES,
  pushFactors: Object.freeze(PUSH_FACTOR_CODES.map((code) => Object.freeze({ code, label: PUSH_FACTOR_LABELS[code] }))) as readonly VocabularyEntry<PushFactorCode>[],
  pullFactors: Object.freeze(PULL_FACTOR_CODES.map((code) => Object.freeze({ code, label: PULL_FACTOR_LABELS[code] }))) as readonly VocabularyEntry<PullFactorCode>[],
  referrals: Object.freeze(REFERRAL_CODES.map((code) => Object.freeze({ code, label: REFERRAL_LABELS[code] }))) as readonly VocabularyEntry<ReferralCode>[],
  placeKinds: Object.freeze(PLACE_KINDS.map((code) => Object.freeze({ code, label: PLACE_KIND_LABELS[code] }))) as readonly VocabularyEntry<PlaceKind>[],
  linkReasons: Object.freeze(LINK_REASONS.map((code) => Object.freeze({ code, label: LINK_REASON_LABELS[code] }))) as readonly VocabularyEntry<LinkReason>[],
});

function guard<C extends string>(codes: readonly C[]): (value: unknown) => value is C {
  const known: ReadonlySet<unknown> = new Set(codes);
  return (value: unknown): value is C => known.has(value);
}

export const isIndicatorCode = guard(INDICATOR_CODES);
export const isVulnerabilityCode = guard(VULNERABILITY_CODES);
export const isDepartedWith = guard(DEPARTED_WITH_VALUES);
export const isExploitationIndicatorCode = guard(EXPLOITATION_INDICATOR_CODES);
export const isRuleCode = guard<RuleCode>(RULES.map((rule) => rule.code));
