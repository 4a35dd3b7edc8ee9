import { useEffect, useState, type FormEvent } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { formatDateTime } from '../../format';
import { AUDIT_ACTION_LABELS } from '../../labels';
import { navigate, useLocation } from '../../router';
import { ErrorBox, Loading, useLoad, useScreenTitle } from '../../ui/common';
import { fieldProblems, FormError, problemOf, TextField } from './forms';
import { TIME_ZONE } from './useAdminFoyers';

type Entry = Schemas['AuditEntryResponse'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filters, as the page's address carries them (a filtered view can be bookmarked or shared). */
const PARAMS = { personId: 'personne', clientId: 'cle', youthId: 'jeune', fugueId: 'episode' } as const;
type Filter = Record<keyof typeof PARAMS, string>;

/** The audit log (admin): who read whose identity or changed what, filtered by person, key, youth or episode. */
export function AuditScreen() {
  useScreenTitle('Journal d’audit');
  const { query } = useLocation();
  const filter = Object.fromEntries(Object.entries(PARAMS).map(([k, p]) => [k, query.get(p) ?? ''])) as Filter;
  const key = JSON.stringify(filter);
  const [people] = useLoad(() => must(api.GET('/v1/people', { params: { query: { limit: 200 } } })), []);
  const [clients] = useLoad(() => must(api.GET('/v1/api-clients', { params: { query: { limit: 200 } } })), []);
  const [draft, setDraft] = useState<Filter>(filter);
  useEffect(() => setDraft(filter), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const [items, setItems] = useState<Entry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = async (after: string | null) => {
    setError(null);
    const q = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
    try {
      const page = await must(api.GET('/v1/audit', { params: { query: { limit: 50, ...q, ...(after ? { cursor: after } : {}) } } }));
      setItems((previous) => (after ? [...(previous ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
      if (!after) setItems([]);
    }
  };
  useEffect(() => {
    setItems(null);
    void load(null);
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  const local: Record<string, string> = {};
  for (const f of ['youthId', 'fugueId'] as const) if (draft[f].trim() && !UUID.test(draft[f].trim())) local[f] = 'doit être un identifiant (UUID), tel qu’il figure dans l’adresse de la fiche';
  const [submitted, setSubmitted] = useState(false);
  const problems = { ...(fieldProblems(error) ?? {}), ...(submitted ? local : {}) };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length) return;
    const params = new URLSearchParams();
    for (const [k, p] of Object.entries(PARAMS)) if (draft[k as keyof Filter].trim()) params.set(p, draft[k as keyof Filter].trim());
    navigate(`/administration/journal${params.size ? `?${params}` : ''}`);
  };

  const personName = (id: string | null) => (id && people.state === 'ready' ? (people.data.items.find((p) => p.id === id)?.displayName ?? id) : id);
  const clientName = (id: string | null) => (id && clients.state === 'ready' ? (clients.data.items.find((c) => c.id === id)?.name ?? id) : id);

  return (
    <>
      <h1>Journal d’audit</h1>
      <form onSubmit={submit} aria-labelledby="titre-filtres" className="panel" noValidate>
        <h2 id="titre-filtres">Filtrer</h2>
        <label htmlFor="audit-personne">Personne</label>
        <select id="audit-personne" value={draft.personId} onChange={(e) => setDraft({ ...draft, personId: e.target.value })}>
          <option value="">Toutes</option>
          {people.state === 'ready' &&
            people.data.items.map((p) => (
              <option key={p.id} value={p.id}>
                {p.displayName} ({p.email})
              </option>
            ))}
        </select>
        <label htmlFor="audit-cle">Clé d’API</label>
        <select id="audit-cle" value={draft.clientId} onChange={(e) => setDraft({ ...draft, clientId: e.target.value })}>
          <option value="">Toutes</option>
          {clients.state === 'ready' &&
            clients.data.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
        </select>
        <TextField id="audit-jeune" label="Jeune (identifiant)" value={draft.youthId} onChange={(e) => setDraft({ ...draft, youthId: e.target.value })} autoComplete="off" error={problemOf(problems, 'youthId')} />
        <TextField
          id="audit-episode"
          label="Épisode (identifiant)"
          value={draft.fugueId}
          onChange={(e) => setDraft({ ...draft, fugueId: e.target.value })}
          autoComplete="off"
          hint="L’identifiant figure dans l’adresse de la page de l’épisode (/episodes/…)."
          error={problemOf(problems, 'fugueId')}
        />
        <div className="actions">
          <button type="submit" className="primary">
            Filtrer le journal
          </button>
        </div>
      </form>
      <h2 id="titre-entrees">Entrées, des plus récentes aux plus anciennes</h2>
      {items === null ? (
        <Loading />
      ) : items.length === 0 ? (
        <p>Aucune entrée.</p>
      ) : (
        <table className="admin-table" aria-labelledby="titre-entrees" id="journal">
          <thead>
            <tr>
              <th scope="col">Quand</th>
              <th scope="col">Qui</th>
              <th scope="col">Action</th>
              <th scope="col">Requête</th>
              <th scope="col">Jeune / épisode</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id} data-fugue={e.fugueId ?? ''}>
                <td>{formatDateTime(e.at, TIME_ZONE)}</td>
                <td>{e.personId ? personName(e.personId) : clientName(e.clientId)}</td>
                <td>{AUDIT_ACTION_LABELS[e.action]}</td>
                <td>
                  <code>
                    {e.method} {e.route}
                  </code>{' '}
                  → {e.statusCode}
                </td>
                <td className="small">{[e.youthId, e.fugueId].filter(Boolean).join(' / ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          Afficher les entrées plus anciennes
        </button>
      )}
      {error !== null && (fieldProblems(error) ? <FormError error={error} /> : <ErrorBox error={error} retry={() => void load(null)} />)}
    </>
  );
}
