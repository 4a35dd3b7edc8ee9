import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, must } from '../api/client';
import {
  buildConnections,
  connectionProblems,
  emptyRows,
  MAX_ROWS,
  newCompanion,
  newPlace,
  newVehicle,
  rowProblem,
  type CompanionRow,
  type ConnectionProblems,
  type ConnectionsBody,
  type ConnectionRows,
  type ListName,
  type PlaceKind,
  type PlaceRow,
  type VehicleRow,
} from '../connections';
import { useSession } from '../session';
import { ErrorBox } from './common';

/** A youth a foyer may name as a companion: its own youths (GET /v1/youths). */
export interface YouthChoice {
  id: string;
  label: string;
}

/**
 * The youths of a foyer, read when `wanted` first turns true (each reading is audited: only when a
 * companion is added). Null while not read; an empty list when the role may not read them.
 */
export function useFoyerYouths(foyerId: string | null, excludeYouthId: string, wanted: boolean): YouthChoice[] | null {
  const [youths, setYouths] = useState<YouthChoice[] | null>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (!wanted || asked.current || !foyerId) return;
    asked.current = true;
    must(api.GET('/v1/youths', { params: { query: { foyerId, limit: 200 } } })).then(
      (page) =>
        setYouths(
          page.items
            .filter((y) => y.id !== excludeYouthId && !y.erased)
            .map((y) => ({ id: y.id, label: `${y.firstName ?? ''} ${y.lastName ?? ''}`.trim() || 'Jeune' }))
            .sort((a, b) => a.label.localeCompare(b.label, 'fr')),
        ),
      () => setYouths([]),
    );
  }, [wanted, foyerId, excludeYouthId]);
  return youths;
}

function Problem({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      Refusé : {message}
    </p>
  );
}

/** Props of an input tied to its error (aria-describedby, aria-invalid). */
function errorProps(id: string, message: string | undefined, hint?: string) {
  const described = [hint, message ? `${id}-erreur` : null].filter(Boolean).join(' ') || undefined;
  return { id, 'aria-describedby': described, 'aria-invalid': message ? true : undefined };
}

/**
 * Companions, vehicles and places of an episode, one fieldset each, with rows to add and remove.
 * `youths`: the foyer's youths to pick a companion from (null: only an alias can be written).
 * `problems`: the API's refusals, shown at their fields.
 */
export function ConnectionsFields({
  idPrefix,
  value,
  onChange,
  youths,
  onCompanionAdded,
  problems,
  intro,
}: {
  idPrefix: string;
  value: ConnectionRows;
  onChange: (next: ConnectionRows) => void;
  youths: YouthChoice[] | null;
  onCompanionAdded?: () => void;
  problems: ConnectionProblems | null;
  intro?: ReactNode;
}) {
  const { vocabularies } = useSession();
  // After adding a row, its first field takes the focus; after removing one, the list's « Ajouter » button.
  const [focus, setFocus] = useState<string | null>(null);
  useEffect(() => {
    if (!focus) return;
    document.getElementById(focus)?.focus();
    setFocus(null);
  }, [focus]);

  const set = <L extends ListName>(list: L, rows: ConnectionRows[L]) => onChange({ ...value, [list]: rows });
  const update = <L extends ListName>(list: L, key: string, patch: Partial<ConnectionRows[L][number]>) =>
    set(list, (value[list] as ConnectionRows[L][number][]).map((r) => (r.key === key ? { ...r, ...patch } : r)) as ConnectionRows[L]);
  const remove = (list: ListName, key: string) => {
    set(list, (value[list] as { key: string }[]).filter((r) => r.key !== key) as never);
    setFocus(`${idPrefix}-${list}-ajouter`);
  };
  const add = (list: ListName) => {
    const row = list === 'companions' ? newCompanion() : list === 'vehicles' ? newVehicle() : newPlace();
    set(list, [...value[list], row] as never);
    setFocus(`${idPrefix}-${row.key}-premier`);
    if (list === 'companions') onCompanionAdded?.();
  };
  const listProblem = (list: ListName) =>
    problems?.lists[list] ? <Problem id={`${idPrefix}-${list}-erreur`} message={problems.lists[list]} /> : null;

  const addButton = (list: ListName, label: string) => (
    <button type="button" id={`${idPrefix}-${list}-ajouter`} onClick={() => add(list)} disabled={value[list].length >= MAX_ROWS}>
      {label}
    </button>
  );

  const companion = (row: CompanionRow, n: number) => {
    const picks = youths !== null && youths.length > 0;
    const first = `${idPrefix}-${row.key}-premier`;
    // The first field is the youth to pick when there are some, else the alias.
    const aliasId = picks ? `${idPrefix}-${row.key}-alias` : first;
    const ageId = `${idPrefix}-${row.key}-age`;
    const youthError = rowProblem(problems, row.key, 'youthId');
    const aliasError = rowProblem(problems, row.key, 'alias', true);
    const ageError = rowProblem(problems, row.key, 'approximateAge');
    return (
      <fieldset key={row.key} className="connection-row">
        <legend>Compagnon {n}</legend>
        {picks && (
          <>
            <label htmlFor={first}>Un jeune du foyer</label>
            <select {...errorProps(first, youthError)} value={row.youthId} onChange={(e) => update('companions', row.key, { youthId: e.target.value })}>
              <option value="">— Aucun, ou pas du foyer —</option>
              {youths.map((y) => (
                <option key={y.id} value={y.id}>
                  {y.label}
                </option>
              ))}
            </select>
            <Problem id={`${first}-erreur`} message={youthError} />
          </>
        )}
        {youths === null && <p className="hint">Lecture des jeunes du foyer…</p>}
        <label htmlFor={aliasId}>{picks ? 'Ou un prénom, un surnom' : 'Prénom ou surnom'}</label>
        <input {...errorProps(aliasId, aliasError)} maxLength={60} autoComplete="off" value={row.alias} onChange={(e) => update('companions', row.key, { alias: e.target.value })} />
        <Problem id={`${aliasId}-erreur`} message={aliasError} />
        <label htmlFor={ageId}>Âge approximatif (facultatif)</label>
        <input {...errorProps(ageId, ageError)} inputMode="numeric" className="short" maxLength={2} value={row.age} onChange={(e) => update('companions', row.key, { age: e.target.value })} />
        <Problem id={`${ageId}-erreur`} message={ageError} />
        <button type="button" className="link" onClick={() => remove('companions', row.key)}>
          Retirer le compagnon {n}
        </button>
      </fieldset>
    );
  };

  const vehicle = (row: VehicleRow, n: number) => {
    const first = `${idPrefix}-${row.key}-premier`;
    const plateError = rowProblem(problems, row.key, 'plate', true);
    const descriptionError = rowProblem(problems, row.key, 'description');
    const descriptionId = `${idPrefix}-${row.key}-description`;
    return (
      <fieldset key={row.key} className="connection-row">
        <legend>Véhicule {n}</legend>
        <label htmlFor={first}>Plaque d’immatriculation</label>
        <input {...errorProps(first, plateError, `${idPrefix}-plaque-aide`)} autoComplete="off" maxLength={20} value={row.plate} onChange={(e) => update('vehicles', row.key, { plate: e.target.value })} />
        <Problem id={`${first}-erreur`} message={plateError} />
        <label htmlFor={descriptionId}>Description (marque, couleur…)</label>
        <input {...errorProps(descriptionId, descriptionError)} maxLength={200} value={row.description} onChange={(e) => update('vehicles', row.key, { description: e.target.value })} />
        <Problem id={`${descriptionId}-erreur`} message={descriptionError} />
        <button type="button" className="link" onClick={() => remove('vehicles', row.key)}>
          Retirer le véhicule {n}
        </button>
      </fieldset>
    );
  };

  const place = (row: PlaceRow, n: number) => {
    const first = `${idPrefix}-${row.key}-premier`;
    const id = (field: string) => `${idPrefix}-${row.key}-${field}`;
    const kindError = rowProblem(problems, row.key, 'kind', true);
    const communeError = rowProblem(problems, row.key, 'communeCode');
    const addressError = rowProblem(problems, row.key, 'address');
    const atError = rowProblem(problems, row.key, 'at');
    return (
      <fieldset key={row.key} className="connection-row">
        <legend>Lieu {n}</legend>
        <label htmlFor={first}>Type de lieu *</label>
        <select {...errorProps(first, kindError)} value={row.kind} onChange={(e) => update('places', row.key, { kind: e.target.value as PlaceKind })}>
          <option value="">— Choisir —</option>
          {vocabularies.placeKinds.map((k) => (
            <option key={k.code} value={k.code}>
              {k.label}
            </option>
          ))}
        </select>
        <Problem id={`${first}-erreur`} message={kindError} />
        <label htmlFor={id('commune')}>Code commune INSEE (facultatif)</label>
        <input
          {...errorProps(id('commune'), communeError, `${idPrefix}-commune-aide`)}
          inputMode="numeric"
          className="short"
          maxLength={5}
          autoComplete="off"
          value={row.communeCode}
          onChange={(e) => update('places', row.key, { communeCode: e.target.value })}
        />
        <Problem id={`${id('commune')}-erreur`} message={communeError} />
        <label htmlFor={id('adresse')}>Adresse ou nom du lieu (facultatif)</label>
        <input {...errorProps(id('adresse'), addressError)} maxLength={200} value={row.address} onChange={(e) => update('places', row.key, { address: e.target.value })} />
        <Problem id={`${id('adresse')}-erreur`} message={addressError} />
        <label htmlFor={id('quand')}>Quand (facultatif)</label>
        <input {...errorProps(id('quand'), atError)} type="datetime-local" value={row.at} onChange={(e) => update('places', row.key, { at: e.target.value })} />
        <Problem id={`${id('quand')}-erreur`} message={atError} />
        <button type="button" className="link" onClick={() => remove('places', row.key)}>
          Retirer le lieu {n}
        </button>
      </fieldset>
    );
  };

  return (
    <div className="connections">
      {intro}
      <fieldset aria-describedby={problems?.lists.companions ? `${idPrefix}-companions-erreur` : undefined}>
        <legend>Compagnons de fugue</legend>
        <p className="hint">Un jeune parti avec lui ou retrouvé avec lui : un jeune du foyer, ou un prénom, un surnom.</p>
        {value.companions.map((r, i) => companion(r, i + 1))}
        {listProblem('companions')}
        {addButton('companions', 'Ajouter un compagnon')}
      </fieldset>
      <fieldset aria-describedby={problems?.lists.vehicles ? `${idPrefix}-vehicles-erreur` : undefined}>
        <legend>Véhicules</legend>
        <p className="hint" id={`${idPrefix}-plaque-aide`}>
          Une plaque française (AB-123-CD, 1234 AB 75) ou étrangère, ou à défaut une description.
        </p>
        {value.vehicles.map((r, i) => vehicle(r, i + 1))}
        {listProblem('vehicles')}
        {addButton('vehicles', 'Ajouter un véhicule')}
      </fieldset>
      <fieldset aria-describedby={problems?.lists.places ? `${idPrefix}-places-erreur` : undefined}>
        <legend>Lieux</legend>
        <p className="hint" id={`${idPrefix}-commune-aide`}>
          Hôtel, location, domicile, gare… Le code commune INSEE a 5 caractères (75056 pour Paris) ; ce n’est pas le code postal.
        </p>
        {value.places.map((r, i) => place(r, i + 1))}
        {listProblem('places')}
        {addButton('places', 'Ajouter un lieu')}
      </fieldset>
    </div>
  );
}

/** The refusals of the form's other fields, when the API named some: said once, above the button. */
export function OtherProblems({ problems, labels }: { problems: ConnectionProblems | null; labels?: Record<string, string> }) {
  if (!problems) return null;
  const other = Object.entries(problems.other);
  const inRows = Object.keys(problems.rows).length + Object.keys(problems.lists).length;
  return (
    <div className="error" role="alert">
      <p>Certaines informations n’ont pas été acceptées{inRows ? ' : corrigez les champs signalés' : ''}, puis réessayez.</p>
      {other.length > 0 && (
        <ul>
          {other.map(([field, message]) => (
            <li key={field}>
              {labels?.[field] ?? field} : {message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A refused request: the refusals placed at their fields when the API named some, else the error in words. */
export function SubmitError({ error, problems, labels }: { error: unknown; problems: ConnectionProblems | null; labels?: Record<string, string> }) {
  if (error === null || error === undefined) return null;
  if (problems) return <OtherProblems problems={problems} labels={labels} />;
  return <ErrorBox error={error} />;
}

/** The state of a form's connections: its rows, what to send, and the API's refusals placed at their rows. */
export function useConnectionsForm(timeZone: string) {
  const [rows, setRows] = useState<ConnectionRows>(emptyRows);
  const [problems, setProblems] = useState<ConnectionProblems | null>(null);
  const sent = useRef<Record<ListName, string[]>>({ companions: [], vehicles: [], places: [] });
  return {
    rows,
    setRows,
    problems,
    /** The `connections` to send (undefined: none); remembers which row each item came from. */
    build: (): ConnectionsBody | undefined => {
      const built = buildConnections(rows, timeZone);
      sent.current = built.keys;
      setProblems(null);
      return built.connections;
    },
    refused: (error: unknown) => setProblems(connectionProblems(error, sent.current)),
    reset: () => {
      setRows(emptyRows());
      setProblems(null);
    },
  };
}
