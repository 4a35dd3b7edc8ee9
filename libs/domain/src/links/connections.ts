import { COMMUNE_CODES_BY_DEPARTMENT } from './communes.data';

/** Kinds of places (spec/links.md). PERSISTED NAMES: stored in fugue_connections; never rename one. */
export const PLACE_KINDS = ['hotel', 'short_let', 'private_home', 'station', 'street', 'other'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

/** The places whose address links two episodes (SAME_PLACE). */
export const LINKING_PLACE_KINDS: readonly PlaceKind[] = ['hotel', 'short_let', 'private_home'];

export const PLACE_KIND_LABELS: Readonly<Record<PlaceKind, string>> = {
  hotel: 'Hôtel',
  short_let: 'Location de courte durée',
  private_home: 'Domicile d’un particulier',
  station: 'Gare',
  street: 'Rue',
  other: 'Autre lieu',
};

/** Where a connection was told. PERSISTED NAMES. */
export type ConnectionSource = 'report' | 'update' | 'return' | 'interview' | 'hotline';

export const ALIAS_LENGTH = { min: 1, max: 60 } as const;
export const APPROXIMATE_AGE = { min: 8, max: 80 } as const;
export const CONNECTION_TEXT_MAX = 200;
/** At most this many entries of each list in one request. */
export const CONNECTIONS_MAX_ITEMS = 20;

/** The structured facts of an episode, as a request gives them (lists appended to the episode's). */
export interface ConnectionsInput {
  companions?: { youthId?: string; alias?: string; approximateAge?: number }[];
  vehicles?: { plate?: string; description?: string }[];
  places?: { kind: PlaceKind; communeCode?: string; address?: string; at?: Date }[];
}

/** The connections of an episode as stored, decrypted, for a reader who may see its identity. */
export interface EpisodeConnections {
  companions: { youthId: string | null; outsideScope: boolean; alias: string | null; approximateAge: number | null }[];
  vehicles: { plate: string | null; description: string | null }[];
  places: { kind: PlaceKind; communeCode: string | null; address: string | null; at: Date | null }[];
}

export function hasConnections(input: ConnectionsInput | null | undefined): input is ConnectionsInput {
  return !!input && ((input.companions?.length ?? 0) > 0 || (input.vehicles?.length ?? 0) > 0 || (input.places?.length ?? 0) > 0);
}

/** A plate's characters: letters and digits, groups separated by one space or dash. */
const PLATE = /^[A-Za-z0-9]+(?:[ -][A-Za-z0-9]+)*$/;

/**
 * A plate normalised: upper case, without spaces or dashes (`AB-123-CD` → `AB123CD`,
 * `1234 AB 75` → `1234AB75`); null for something that is no plate. French plates in either
 * format and foreign ones are accepted: 2 to 12 letters and digits once normalised.
 */
export function normalisePlate(plate: string): string | null {
  const trimmed = plate.trim();
  if (!PLATE.test(trimmed)) return null;
  const normalised = trimmed.replace(/[ -]/g, '').toUpperCase();
  return normalised.length >= 2 && normalised.length <= 12 ? normalised : null;
}

/** Which format a normalised plate has: French (SIV since 2009, or the older FNI) or other. */
export function plateFormat(normalised: string): 'siv' | 'fni' | 'foreign' {
  if (/^[A-Z]{2}\d{3}[A-Z]{2}$/.test(normalised)) return 'siv';
  if (/^\d{1,4}[A-Z]{1,3}(\d{2}|2A|2B|97\d)$/.test(normalised)) return 'fni';
  return 'foreign';
}

/** Lower case, accents removed, inner spaces collapsed: `  Zoé   la Testeuse ` → `zoe la testeuse`. */
export function normaliseText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function normaliseAlias(alias: string): string {
  return normaliseText(alias);
}

/** An address normalised as an alias, with its commune code (none: an empty code). */
export function normaliseAddress(address: string, communeCode: string | null | undefined): string {
  return `${communeCode ?? ''}|${normaliseText(address)}`;
}

let communes: Map<string, string> | null = null;

/** The département of an INSEE commune code (`75056` → `75`), null for a code that is no commune. */
export function communeDepartment(code: string): string | null {
  if (!communes) {
    communes = new Map();
    for (const [department, codes] of Object.entries(COMMUNE_CODES_BY_DEPARTMENT)) for (const c of codes.split(' ')) communes.set(c, department);
  }
  return communes.get(code) ?? null;
}
