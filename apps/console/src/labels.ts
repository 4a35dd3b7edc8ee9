import type { Schemas } from './api/client';

/**
 * The French words for every code the console shows. Each table is typed by the API document's
 * enums: a code added to the API and not named here fails the console's type check.
 */
type Vulnerability = NonNullable<Schemas['CreateYouthDto']['vulnerabilities']>[number];
type Indicator = NonNullable<Schemas['DeclareFugueDto']['indicators']>[number];
type DepartedWith = NonNullable<Schemas['DeclareFugueDto']['departedWith']>;
type PushFactor = NonNullable<Schemas['RecordInterviewDto']['pushFactors']>[number];
type PullFactor = NonNullable<Schemas['RecordInterviewDto']['pullFactors']>[number];
type ExploitationIndicator = NonNullable<Schemas['RecordInterviewDto']['exploitationIndicators']>[number];
type Referral = NonNullable<Schemas['RecordInterviewDto']['referrals']>[number];
type FoundBy = Schemas['ReturnDto']['foundBy'];
type Status = Schemas['FugueResponse']['status'];
type Sex = Schemas['YouthResponse']['sex'];
type TimelineType = Schemas['TimelineEntryResponse']['type'];
type InterviewStatus = Schemas['InterviewResponse']['status'];
type AgeBand = Schemas['AgeBandStatsResponse']['key'];

export const VULNERABILITY_LABELS: Record<Vulnerability, string> = {
  DISABILITY: 'Handicap ou trouble du neurodéveloppement',
  UNACCOMPANIED_MINOR: 'Mineur non accompagné',
  HISTORY_SEXUAL_VIOLENCE: 'Antécédents de violences sexuelles',
  HISTORY_FAMILY_VIOLENCE: 'Antécédents de violences intrafamiliales',
  SUBSTANCE_USE: 'Consommation de produits (alcool, cannabis, protoxyde d’azote, cocaïne)',
  ERRANCE: 'Antécédents d’errance',
  SCHOOL_DROPOUT: 'Décrochage scolaire',
};

export const INDICATOR_LABELS: Record<Indicator, string> = {
  SUICIDE_RISK: 'Risque suicidaire (tentative récente, menace, lettre)',
  THIRD_PARTY_DANGER: 'Danger lié à un tiers (personne menaçante, enlèvement suspecté)',
  EXPLOITATION_KNOWN: 'Exploitation sexuelle connue (proxénète, réseau, révélation)',
  PEER_EXPLOITED: 'Lien avec un jeune connu comme exploité ou recruteur',
  CLOTHING_LIFESTYLE_CHANGE: 'Nouveaux vêtements ou changement de mode de vie',
  UNEXPLAINED_MONEY_OR_GIFTS: 'Argent, cadeaux ou cartes prépayées d’origine inexpliquée',
  MULTIPLE_PHONES: 'Plusieurs téléphones',
  VEHICLE_NEAR_FOYER: 'Véhicule aperçu près du foyer',
  OLDER_PARTNER: 'Relation avec un partenaire plus âgé',
  ONLINE_SOLICITATION: 'Sollicitation en ligne (images intimes, chantage, annonces)',
  HOTEL_OR_RENTAL: 'Clés d’hôtel ou location de courte durée',
  VIOLENCE_SIGNS: 'Traces de violences physiques',
  PREGNANCY_OR_STI: 'Grossesse précoce ou infection sexuellement transmissible',
  ALLOWANCE_UNUSED: 'Pécule du foyer non utilisé',
  BEHAVIOUR_CHANGE: 'Changement de comportement',
  SCHOOL_DROPOUT: 'Décrochage scolaire',
  SUBSTANCE_USE: 'Consommation de produits',
  ADVERSE_WEATHER: 'Conditions météorologiques défavorables',
};

/** The reasons of a classification: indicator and profile codes, plus the rules' own. */
export const REASON_LABELS: Record<string, string> = {
  ...INDICATOR_LABELS,
  ...VULNERABILITY_LABELS,
  AGE_UNDER_13: 'Moins de 13 ans',
  VITAL_TREATMENT: 'Traitement médical vital',
  STAFF_CONCERN: 'Inquiétude exprimée par l’équipe',
  LONG_ABSENCE: 'Absence prolongée (24 h avant 15 ans, 48 h ensuite)',
  REPEATED_FUGUES: 'Au moins trois fugues en 30 jours',
  AGE_13_14: '13 ou 14 ans',
  PRIOR_EXPLOITATION_DISCLOSURE: 'Exploitation révélée lors d’un entretien de retour dans l’année',
  PRIOR_WORRYING_EPISODE: 'Fugue préoccupante dans l’année écoulée',
  SHORT_REPEATED_FUGUES: 'Fugues courtes répétées (au moins deux de moins de 48 h en 90 jours)',
  NIGHT_DEPARTURE: 'Départ de nuit (entre 22 h et 6 h)',
  LEFT_WITHOUT_MEANS: 'Départ sans téléphone ni argent',
};

export function reasonLabel(code: string): string {
  return REASON_LABELS[code] ?? code;
}

export const DEPARTED_WITH_LABELS: Record<DepartedWith, string> = {
  alone: 'Seul(e)',
  peers: 'Avec d’autres jeunes',
  adult: 'Avec un adulte',
  vehicle: 'À bord d’un véhicule',
  unknown: 'On ne sait pas',
};

export const PUSH_FACTOR_LABELS: Record<PushFactor, string> = {
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

export const PULL_FACTOR_LABELS: Record<PullFactor, string> = {
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

export const EXPLOITATION_LABELS: Record<ExploitationIndicator, string> = {
  PEER_EXPLOITED: INDICATOR_LABELS.PEER_EXPLOITED,
  CLOTHING_LIFESTYLE_CHANGE: INDICATOR_LABELS.CLOTHING_LIFESTYLE_CHANGE,
  UNEXPLAINED_MONEY_OR_GIFTS: INDICATOR_LABELS.UNEXPLAINED_MONEY_OR_GIFTS,
  MULTIPLE_PHONES: INDICATOR_LABELS.MULTIPLE_PHONES,
  VEHICLE_NEAR_FOYER: INDICATOR_LABELS.VEHICLE_NEAR_FOYER,
  OLDER_PARTNER: INDICATOR_LABELS.OLDER_PARTNER,
  ONLINE_SOLICITATION: INDICATOR_LABELS.ONLINE_SOLICITATION,
  HOTEL_OR_RENTAL: INDICATOR_LABELS.HOTEL_OR_RENTAL,
  VIOLENCE_SIGNS: INDICATOR_LABELS.VIOLENCE_SIGNS,
  PREGNANCY_OR_STI: INDICATOR_LABELS.PREGNANCY_OR_STI,
  EXPLOITATION_KNOWN: INDICATOR_LABELS.EXPLOITATION_KNOWN,
};

export const REFERRAL_LABELS: Record<Referral, string> = {
  MEDICAL_CHECK: 'Bilan médical',
  PSYCHOLOGICAL_SUPPORT: 'Soutien psychologique',
  INFORMATION_PREOCCUPANTE: 'Information préoccupante (cellule départementale)',
  SIGNALEMENT_PROCUREUR: 'Signalement au procureur de la République',
  COMPLAINT_SUPPORT: 'Accompagnement au dépôt de plainte',
  ADDICTION_SERVICE: 'Orientation vers un service d’addictologie',
  PLACEMENT_REVIEW: 'Réexamen du placement',
};

export const FOUND_BY_LABELS: Record<FoundBy, string> = {
  self: 'Revenu(e) de lui-même / d’elle-même',
  police: 'La police ou la gendarmerie',
  family: 'La famille',
  hotline: 'Le 116 000',
  other: 'Autre',
};

export const STATUS_LABELS: Record<Status, string> = {
  missing: 'Disparu(e)',
  located: 'Localisé(e)',
  returned: 'Revenu(e)',
  closed: 'Clos',
  cancelled: 'Annulé',
};

export const SEX_LABELS: Record<Sex, string> = { F: 'Fille', M: 'Garçon', X: 'Autre ou non précisé' };

export const AGE_BAND_LABELS: Record<AgeBand, string> = {
  under_13: 'Moins de 13 ans',
  '13_14': '13 ou 14 ans',
  '15_17': '15 à 17 ans',
  '18_plus': '18 ans et plus',
  unknown: 'Inconnu (données effacées)',
};

export const LEVEL_LABELS: Record<'routine' | 'worrying', string> = { worrying: 'Préoccupante', routine: 'Courante' };

/** The board's column: the running alert of an open episode. */
export const BOARD_ALERT_LABELS: Record<Schemas['FugueListItemResponse']['alertState'], string> = {
  none: 'Aucune',
  open: 'Non prise en compte',
  acknowledged: 'Prise en compte',
};

export const LIVE_MODE_LABELS: Record<'connecting' | 'live' | 'polling', string> = {
  connecting: 'Connexion au direct…',
  live: 'Mise à jour en direct.',
  polling: 'Mise à jour toutes les 30 secondes.',
};

export const INTERVIEW_STATUS_LABELS: Record<InterviewStatus, string> = {
  scheduled: 'À mener',
  completed: 'Mené',
  declined: 'Refusé par le jeune',
  not_held: 'Pas tenu',
};

export const TIMELINE_LABELS: Record<TimelineType, string> = {
  declared: 'Fugue déclarée',
  classified: 'Évaluation du niveau',
  updated: 'Information ajoutée',
  sighting: 'Signalement : jeune aperçu',
  'hotline.call': 'Appel reçu par le 116 000',
  'override.set': 'Niveau fixé à la main',
  'override.withdrawn': 'Niveau fixé à la main retiré',
  'override.superseded': 'Niveau fixé à la main remplacé par une nouvelle évaluation',
  located: 'Jeune localisé(e)',
  returned: 'Retour déclaré',
  closed: 'Épisode clos',
  cancelled: 'Épisode annulé',
  'alert.opened': 'Alerte ouverte',
  'alert.step': 'Alerte : étape suivante',
  'alert.acknowledged': 'Alerte prise en compte',
  'alert.resolved': 'Alerte terminée',
  'routine.notified': 'Information envoyée (fugue courante)',
  'notification.sent': 'Message envoyé',
  'notification.failed': 'Message non remis',
  'return.notified': 'Retour signalé aux référents',
  'interview.scheduled': 'Entretien de retour prévu',
  'interview.reminder': 'Rappel : entretien de retour',
  'interview.overdue': 'Entretien de retour en retard',
  'interview.recorded': 'Entretien de retour enregistré',
  'interview.disclosure': 'Révélation lors de l’entretien de retour',
  'personal_data.erased': 'Données personnelles effacées',
  linked: 'Lien avec un autre épisode',
  'link.indicator': 'Indicateur ajouté par un lien',
};

export const ROLE_LABELS: Record<string, string> = {
  foyer_duty: 'l’astreinte du foyer',
  child_protection: 'la protection de l’enfance',
  department_duty: 'l’astreinte départementale',
  police: 'la police',
  prosecutor: 'le parquet',
};

/**
 * The codes the API offers (GET /v1/vocabularies), in its order, each with the console's words
 * (the API's own French label for a code this console does not know yet).
 */
export function offered<C extends string>(entries: readonly { code: string; label: string }[], labels: Record<C, string>): Record<C, string> {
  return Object.fromEntries(entries.map((e) => [e.code, (labels as Record<string, string>)[e.code] ?? e.label])) as Record<C, string>;
}

type HotlineCaller = Schemas['HotlineCallReportDataDto']['caller'];
type AlertState = Schemas['AlertResponse']['state'];
type Channel = Schemas['NotificationResponse']['channel'];
type NotificationStatus = Schemas['NotificationResponse']['status'];

/** Who called the 116 000. */
export const HOTLINE_CALLER_LABELS: Record<HotlineCaller, string> = {
  youth: 'Le jeune lui-même / elle-même',
  family: 'La famille',
  witness: 'Un témoin',
  professional: 'Un professionnel',
  other: 'Autre',
};

export const ALERT_STATE_LABELS: Record<AlertState, string> = {
  open: 'En cours : personne ne l’a encore prise en compte',
  acknowledged: 'Prise en compte',
  resolved: 'Terminée',
};

export const CHANNEL_LABELS: Record<Channel, string> = { email: 'courriel', sms: 'SMS', webhook: 'message au logiciel du service' };

export const NOTIFICATION_STATUS_LABELS: Record<NotificationStatus, string> = {
  pending: 'en attente d’envoi',
  sending: 'en cours d’envoi',
  sent: 'envoyé',
  failed: 'non remis',
  cancelled: 'pas envoyé (alerte prise en compte avant)',
};

/** Who acted, by the role of their access to Vigie (the acknowledger of an alert). */
export const ACTOR_ROLE_LABELS: Record<string, string> = {
  ...ROLE_LABELS,
  admin: 'l’administration de Vigie',
  foyer: 'le foyer',
  hotline: 'le 116 000',
};

/* The administration screens. */
type AccessRole = Schemas['PersonResponse']['role'];
type ReferentRoleCode = Schemas['ReferentResponse']['role'];
type ChannelType = Schemas['ChannelDto']['type'];
type FoyerKindCode = Schemas['FoyerResponse']['kind'];
type DeliveryStatus = Schemas['WebhookDeliveryResponse']['status'];

export const ACCESS_ROLE_LABELS: Record<AccessRole, string> = {
  admin: 'Administration',
  foyer: 'Équipe de foyer',
  police: 'Police ou gendarmerie',
  child_protection: 'Protection de l’enfance',
  hotline: '116 000 (ligne d’écoute)',
};

/** A referent's role, as a title (ROLE_LABELS says it inside a sentence). */
export const REFERENT_ROLE_TITLES: Record<ReferentRoleCode, string> = {
  foyer_duty: 'Astreinte du foyer',
  child_protection: 'Protection de l’enfance',
  department_duty: 'Astreinte départementale',
  police: 'Police ou gendarmerie',
  prosecutor: 'Parquet',
};

export const CHANNEL_TITLES: Record<ChannelType, string> = { email: 'Courriel', sms: 'SMS', webhook: 'Webhook' };

export const FOYER_KIND_LABELS: Record<FoyerKindCode, string> = { ase: 'Aide sociale à l’enfance', pjj: 'Protection judiciaire de la jeunesse', other: 'Autre' };

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = { pending: 'En attente', sending: 'En cours d’envoi', delivered: 'Remis', failed: 'Échoué' };

export const NOTIFICATION_STATUS_TITLES: Record<NotificationStatus, string> = {
  pending: 'En attente',
  sending: 'En cours d’envoi',
  sent: 'Envoyé',
  failed: 'Échoué',
  cancelled: 'Annulé',
};

export const AUDIT_ACTION_LABELS: Record<Schemas['AuditEntryResponse']['action'], string> = {
  read_identity: 'Lecture d’une identité',
  change: 'Modification',
  erase: 'Effacement',
};
