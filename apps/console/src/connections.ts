import type { components } from './api/schema';

type Schemas = components['schemas'];
import { RequestFailed } from './api/failure';
import { fromLocalInput } from './format';
import { frenchApiMessage } from './screens/admin/api-messages';

/**
 * The companions, vehicles and places a form tells (spec/links.md § Structured facts), as rows the
 * person adds and removes, and what the API makes of them. Pure functions: the console's unit
 * tests run them under Node.
 */
export type ConnectionsBody = Schemas['ConnectionsDto'];
export type PlaceKind = Schemas['PlaceDto']['kind'];
export type LinkReason = Schemas['LinkResponse']['reasons'][number];
export type ListName = 'companions' | 'vehicles' | 'places';

/** Rows per list at most, as the API takes them (CONNECTIONS_MAX_ITEMS). */
export const MAX_ROWS = 20;

export interface CompanionRow {
  key: string;
  youthId: string;
  alias: string;
  age: string;
}
export interface VehicleRow {
  key: string;
  plate: string;
  description: string;
}
export interface PlaceRow {
  key: string;
  kind: PlaceKind | '';
  communeCode: string;
  address: string;
  /** The value of an <input type="datetime-local">, in the episode's time zone. */
  at: string;
}
export interface ConnectionRows {
  companions: CompanionRow[];
  vehicles: VehicleRow[];
  places: PlaceRow[];
}

let counter = 0;
const nextKey = () => `c${++counter}`;

export const emptyRows = (): ConnectionRows => ({ companions: [], vehicles: [], places: [] });
export const newCompanion = (): CompanionRow => ({ key: nextKey(), youthId: '', alias: '', age: '' });
export const newVehicle = (): VehicleRow => ({ key: nextKey(), plate: '', description: '' });
export const newPlace = (): PlaceRow => ({ key: nextKey(), kind: '', communeCode: '', address: '', at: '' });

/** The body's `connections` and, for each list, the key of the row each item came from (in the body's order). */
export interface BuiltConnections {
  connections: ConnectionsBody | undefined;
  keys: Record<ListName, string[]>;
}

const filled = (value: string) => value.trim() !== '';

/**
 * What the API receives: each row with something written in it, its texts trimmed, empty fields
 * left out (a blank row is dropped, not refused); nothing at all when no row says anything. What
 * is left wrong (a companion with an age only, an age that is no number) goes as written: the
 * API's refusal names the field, shown at it.
 */
export function buildConnections(rows: ConnectionRows, timeZone: string): BuiltConnections {
  const keys: Record<ListName, string[]> = { companions: [], vehicles: [], places: [] };
  const companions = rows.companions
    .filter((r) => filled(r.youthId) || filled(r.alias) || filled(r.age))
    .map((r) => {
      keys.companions.push(r.key);
      const age = r.age.trim();
      return {
        ...(filled(r.youthId) ? { youthId: r.youthId } : {}),
        ...(filled(r.alias) ? { alias: r.alias.trim() } : {}),
        ...(age ? { approximateAge: /^\d+$/.test(age) ? Number(age) : (age as unknown as number) } : {}),
      };
    });
  const vehicles = rows.vehicles
    .filter((r) => filled(r.plate) || filled(r.description))
    .map((r) => {
      keys.vehicles.push(r.key);
      return { ...(filled(r.plate) ? { plate: r.plate.trim() } : {}), ...(filled(r.description) ? { description: r.description.trim() } : {}) };
    });
  const places = rows.places
    .filter((r) => r.kind !== '' || filled(r.communeCode) || filled(r.address) || filled(r.at))
    .map((r) => {
      keys.places.push(r.key);
      const at = fromLocalInput(r.at, timeZone);
      return {
        kind: r.kind as PlaceKind,
        ...(filled(r.communeCode) ? { communeCode: r.communeCode.trim() } : {}),
        ...(filled(r.address) ? { address: r.address.trim() } : {}),
        ...(at ? { at } : {}),
      };
    });
  const connections: ConnectionsBody = {
    ...(companions.length ? { companions } : {}),
    ...(vehicles.length ? { vehicles } : {}),
    ...(places.length ? { places } : {}),
  };
  return { connections: Object.keys(connections).length ? connections : undefined, keys };
}

/** The API's refusals of connections, in French; any other as frenchApiMessage words it. */
const CONNECTION_MESSAGES: [RegExp, string][] = [
  [/must be a vehicle plate/, 'plaque non reconnue : des lettres et des chiffres, en groupes séparés par un espace ou un tiret (AB-123-CD, 1234 AB 75, ou une plaque étrangère)'],
  [/must be an INSEE commune code/, 'code commune INSEE attendu, 5 caractères (par exemple 75056 pour Paris) : ce n’est pas le code postal'],
  [/must be the id of an existing youth|youthId must be a UUID/, 'ce jeune n’est pas connu de Vigie'],
  [/^alias must be a string \(give youthId or alias\)/, 'choisissez un jeune ou écrivez un prénom ou un surnom'],
  [/^alias must not be blank|^alias must be longer than or equal to 1/, 'prénom ou surnom de 1 à 60 caractères'],
  [/^approximateAge must not be less than (\d+)/, 'âge approximatif : au moins $1 ans'],
  [/^approximateAge must not be greater than (\d+)/, 'âge approximatif : au plus $1 ans'],
  [/^approximateAge must/, 'âge approximatif : un nombre entier d’années'],
  [/^plate must be a string \(give plate or description\)/, 'indiquez une plaque ou une description'],
  [/^description must be/, 'description de 1 à 200 caractères'],
  [/^address must/, 'adresse de 1 à 200 caractères'],
  [/^kind must be one of/, 'choisissez le type de lieu'],
  [/^at must/, 'date et heure non valides'],
  [/must contain no more than 20 elements/, 'au plus 20 à la fois'],
];
export function connectionMessage(message: string): string {
  for (const [pattern, french] of CONNECTION_MESSAGES) {
    const found = pattern.exec(message);
    // « $1 »: the number the API's message names (a bound).
    if (found) return french.replace('$1', found[1] ?? '');
  }
  return frenchApiMessage(message);
}

const FIELD = /^(?:data\.)?connections\.(companions|vehicles|places)(?:\.(\d+)(?:\.(\w+))?)?$/;

/**
 * The API's refusals of a request with connections, placed: `rows` by `<row key>.<field>` (the
 * row the item came from), `lists` by list name (the list itself refused), `other` by the field
 * the API named (the form's other fields). Null when the refusal names no field.
 */
export interface ConnectionProblems {
  rows: Record<string, string>;
  lists: Partial<Record<ListName, string>>;
  other: Record<string, string>;
}

/** The API's refusals by field, in French; null when the refusal names no field. */
export function apiFieldProblems(error: unknown): Record<string, string> | null {
  if (!(error instanceof RequestFailed) || error.status !== 400 || !error.body?.details?.length) return null;
  const byField: Record<string, string> = {};
  for (const d of error.body.details) {
    const message = connectionMessage(d.message);
    byField[d.field] = byField[d.field] ? `${byField[d.field]} ; ${message}` : message;
  }
  return byField;
}

export function connectionProblems(error: unknown, keys: Record<ListName, string[]>): ConnectionProblems | null {
  if (!(error instanceof RequestFailed) || error.status !== 400 || !error.body?.details?.length) return null;
  const problems: ConnectionProblems = { rows: {}, lists: {}, other: {} };
  const add = (into: Record<string, string>, at: string, message: string) => {
    into[at] = into[at] ? `${into[at]} ; ${message}` : message;
  };
  for (const d of error.body.details) {
    const message = connectionMessage(d.message);
    const found = FIELD.exec(d.field);
    if (!found) {
      add(problems.other, d.field, message);
      continue;
    }
    const [, list, index, field] = found as unknown as [string, ListName, string | undefined, string | undefined];
    const key = index === undefined ? undefined : keys[list][Number(index)];
    if (key === undefined) add(problems.lists as Record<string, string>, list, message);
    else add(problems.rows, `${key}.${field ?? ''}`, message);
  }
  return problems;
}

/** The problem of one field of a row (a refusal of the item as a whole goes to its first field). */
export function rowProblem(problems: ConnectionProblems | null, key: string, field: string, first = false): string | undefined {
  if (!problems) return undefined;
  const found = Object.entries(problems.rows).filter(([at]) => at === `${key}.${field}` || (first && at === `${key}.`));
  return found.length ? found.map(([, m]) => m).join(' ; ') : undefined;
}

/** A plate as the person reads it: the API keeps it normalised (AB123CD); French ones get their dashes back. */
export function plateWords(plate: string): string {
  const siv = /^([A-Z]{2})(\d{3})([A-Z]{2})$/.exec(plate);
  if (siv) return `${siv[1]}-${siv[2]}-${siv[3]}`;
  return plate;
}

/** The words of link reasons, the API's labels (GET /v1/vocabularies) in the API's order, lower case inside a sentence. */
export function reasonWords(reasons: readonly string[], labels: readonly { code: string; label: string }[]): string[] {
  const order = labels.map((l) => l.code);
  return [...reasons]
    .sort((a, b) => (order.indexOf(a) === -1 ? 99 : order.indexOf(a)) - (order.indexOf(b) === -1 ? 99 : order.indexOf(b)))
    .map((code) => {
      const label = labels.find((l) => l.code === code)?.label ?? code;
      return label.charAt(0).toLowerCase() + label.slice(1);
    });
}

/** « même véhicule et même lieu (…) » : words joined as a French list. */
export function frenchList(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} et ${words[words.length - 1]}`;
}

/**
 * A link to an episode the person may not see, in the words of spec/links.md: « Même véhicule
 * qu’un autre épisode hors de votre périmètre » when every reason is a « même … »; the others
 * (a companion named, left together) as « Lié à un autre épisode hors de votre périmètre : … ».
 */
export function hiddenLinkSentence(reasons: readonly string[], labels: readonly { code: string; label: string }[]): string {
  const words = reasonWords(reasons, labels);
  const list = frenchList(words);
  if (words.length > 0 && words.every((w) => w.startsWith('même '))) return `${list.charAt(0).toUpperCase()}${list.slice(1)} qu’un autre épisode hors de votre périmètre.`;
  return `Lié à un autre épisode hors de votre périmètre : ${list}.`;
}

/** « Même véhicule et partis ensemble du même foyer » : the reasons of a link as the start of a sentence. */
export function linkReasonsSentence(reasons: readonly string[], labels: readonly { code: string; label: string }[]): string {
  const list = frenchList(reasonWords(reasons, labels));
  return `${list.charAt(0).toUpperCase()}${list.slice(1)}`;
}
