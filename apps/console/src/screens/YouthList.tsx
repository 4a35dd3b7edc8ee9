import { useEffect, useState, type FormEvent } from 'react';
import { api, must, type Schemas } from '../api/client';
import { ageOn, formatDateTime } from '../format';
import { LEVEL_LABELS, STATUS_LABELS } from '../labels';
import { Link, navigate, useLocation } from '../router';
import { useSession, useTimeZone } from '../session';
import { ErrorBox, Loading, useScreenTitle } from '../ui/common';

type Item = Schemas['YouthListItemResponse'];

/** The foyer's youths, newest first, searched by name or reference; each with their current episode. */
export function YouthList() {
  useScreenTitle('Jeunes du foyer');
  const session = useSession();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const foyerId = query.get('foyer') ?? '';
  const [typed, setTyped] = useState(q);
  const [items, setItems] = useState<Item[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [more, setMore] = useState(false);

  const load = async (after: string | null) => {
    setError(null);
    try {
      const page = await must(
        api.GET('/v1/youths', { params: { query: { limit: 50, ...(q ? { q } : {}), ...(foyerId ? { foyerId } : {}), ...(after ? { cursor: after } : {}) } } }),
      );
      setItems((previous) => (after && previous ? [...previous, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setMore(false);
    }
  };
  useEffect(() => {
    setItems(null);
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, foyerId]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (typed.trim()) params.set('q', typed.trim().slice(0, 100));
    if (foyerId) params.set('foyer', foyerId);
    navigate(`/youths${params.size ? `?${params}` : ''}`);
  };

  return (
    <section aria-labelledby="titre-liste">
      <h1 id="titre-liste">Jeunes du foyer</h1>
      <p>
        <Link className="button primary" href="/youths/new">
          Nouveau jeune
        </Link>
      </p>
      <form role="search" onSubmit={search} className="search" aria-label="Rechercher un jeune">
        <div>
          <label htmlFor="q">Rechercher (prénom, nom ou référence)</label>
          <input id="q" type="search" value={typed} maxLength={100} onChange={(e) => setTyped(e.target.value)} />
        </div>
        <button type="submit">Rechercher</button>
      </form>
      {session.foyers.length > 1 && (
        <>
          <label htmlFor="foyer">Foyer</label>
          <select
            id="foyer"
            value={foyerId}
            onChange={(e) => navigate(`/youths?${new URLSearchParams({ ...(q ? { q } : {}), ...(e.target.value ? { foyer: e.target.value } : {}) })}`)}
          >
            <option value="">Tous mes foyers</option>
            {session.foyers.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </>
      )}
      {error !== null && <ErrorBox error={error} retry={() => void load(null)} />}
      {items === null ? (
        error === null && <Loading what="Chargement des jeunes…" />
      ) : items.length === 0 ? (
        <p role="status">{q ? `Aucun jeune ne correspond à « ${q} ».` : 'Aucun jeune enregistré pour l’instant.'}</p>
      ) : (
        <>
          <p role="status" className="hint">
            {items.length} jeune{items.length > 1 ? 's' : ''}
            {cursor ? ' affichés (il y en a d’autres)' : ''}
            {q ? ` pour « ${q} »` : ''}.
          </p>
          <ul className="cards">
            {items.map((y) => (
              <YouthCard key={y.id} youth={y} />
            ))}
          </ul>
          {cursor && (
            <button
              type="button"
              disabled={more}
              onClick={() => {
                setMore(true);
                void load(cursor);
              }}
            >
              {more ? 'Chargement…' : 'Afficher plus de jeunes'}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function YouthCard({ youth }: { youth: Item }) {
  const session = useSession();
  const foyer = session.foyers.find((f) => f.id === youth.foyerId);
  const timeZone = useTimeZone(foyer?.departmentCode);
  const name = `${youth.firstName ?? ''} ${youth.lastName ?? ''}`.trim() || 'Identité effacée';
  const open = youth.openFugue;
  return (
    <li>
      <Link href={`/youths/${youth.id}`}>
        <strong>{name}</strong>
      </Link>
      {youth.birthDate ? `, ${ageOn(youth.birthDate)} ans` : ''}
      {youth.externalRef ? ` · réf. ${youth.externalRef}` : ''}
      {open && (
        <span className="line2">
          <span className={`badge ${open.effectiveLevel ?? ''}`}>
            {STATUS_LABELS[open.status]}
            {open.effectiveLevel ? ` · ${LEVEL_LABELS[open.effectiveLevel]}` : ''}
          </span>
          <Link href={`/episodes/${open.id}`}>Fugue du {formatDateTime(open.noticedMissingAt, timeZone)}</Link>
        </span>
      )}
    </li>
  );
}
