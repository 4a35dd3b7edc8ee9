import { useCallback, useEffect, useRef, useState } from 'react';
import { api, must } from '../api/client';
import { boardChange, boardSections, changesBoard, type BoardItem, type BoardSections } from '../board';
import { elapsedSince, formatDateTime } from '../format';
import { BOARD_ALERT_LABELS, LEVEL_LABELS, LIVE_MODE_LABELS, STATUS_LABELS } from '../labels';
import { useLiveEvents } from '../live';
import { Link } from '../router';
import { useSession } from '../session';
import { ErrorBox, Loading, useScreenTitle } from '../ui/common';
import { HotlineLookup } from './HotlineLookup';

/** Pages of 200 read at most: past that, the board says some are not shown. */
const MAX_PAGES = 5;

async function loadOpenEpisodes(): Promise<{ items: BoardItem[]; complete: boolean }> {
  const items: BoardItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result: { items: BoardItem[]; nextCursor: string | null } = await must(
      api.GET('/v1/fugues', { params: { query: { status: 'open', include: 'youth', limit: 200, ...(cursor ? { cursor } : {}) } } }),
    );
    items.push(...result.items);
    cursor = result.nextCursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}

/**
 * The referents' live board: the open episodes of their départements, what needs someone now on
 * top. Kept up to date by the live stream (or by reading again every 30 s without it).
 */
export function BoardScreen() {
  useScreenTitle('Tableau des fugues en cours');
  const { me } = useSession();
  const [sections, setSections] = useState<BoardSections | null>(null);
  const [complete, setComplete] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [announcement, setAnnouncement] = useState('');
  const [now, setNow] = useState(() => new Date());
  const shown = useRef<BoardSections | null>(null);
  const loading = useRef(false);
  const again = useRef(false);

  const load = useCallback(async () => {
    // One read at a time; a change told meanwhile makes one more read after it.
    if (loading.current) {
      again.current = true;
      return;
    }
    loading.current = true;
    try {
      do {
        again.current = false;
        try {
          const result = await loadOpenEpisodes();
          const next = boardSections(result.items);
          const change = boardChange(shown.current, next);
          if (change) setAnnouncement(change);
          shown.current = next;
          setSections(next);
          setComplete(result.complete);
          setNow(new Date());
          setError(null);
        } catch (e) {
          setError(e);
        }
      } while (again.current);
    } finally {
      loading.current = false;
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);
  // The times missing move on by themselves.
  useEffect(() => {
    const tick = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(tick);
  }, []);
  const mode = useLiveEvents(changesBoard, () => void load());

  const hotline = me.role === 'hotline';
  return (
    <section aria-labelledby="titre-tableau">
      <h1 id="titre-tableau">Fugues en cours</h1>
      <p className="hint">
        {hotline ? 'Les fugues préoccupantes de vos départements' : 'Les fugues en cours de vos départements'}, les plus urgentes en haut. {LIVE_MODE_LABELS[mode]}
      </p>
      <p role="status" aria-live="polite" className="visually-hidden">
        {announcement}
      </p>
      {hotline && (
        <section aria-labelledby="titre-recherche-appel">
          <h2 id="titre-recherche-appel">Un appel au sujet d’un jeune ? Rechercher sa fugue</h2>
          <HotlineLookup headingLevel={3} />
        </section>
      )}
      {error !== null && <ErrorBox error={error} retry={() => void load()} />}
      {sections === null ? (
        error === null && <Loading what="Chargement des fugues en cours…" />
      ) : (
        <>
          {!complete && <p className="notice">Il y a plus de {MAX_PAGES * 200} fugues en cours : seules les plus récentes sont lues.</p>}
          <BoardTable id="preoccupantes" title="Fugues préoccupantes" items={sections.worrying} now={now} empty="Aucune fugue préoccupante en cours." />
          {sections.pending.length > 0 && <BoardTable id="en-evaluation" title="Niveau en cours d’évaluation" items={sections.pending} now={now} empty="" />}
          {!hotline && <BoardTable id="courantes" title="Fugues courantes" items={sections.routine} now={now} empty="Aucune fugue courante en cours." />}
        </>
      )}
    </section>
  );
}

function BoardTable({ id, title, items, now, empty }: { id: string; title: string; items: BoardItem[]; now: Date; empty: string }) {
  const session = useSession();
  return (
    <section aria-labelledby={`titre-${id}`}>
      <h2 id={`titre-${id}`}>
        {title} ({items.length})
      </h2>
      {items.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <table className="board" id={`tableau-${id}`}>
          <thead>
            <tr>
              <th scope="col">Jeune</th>
              <th scope="col">Âge</th>
              <th scope="col">Foyer</th>
              <th scope="col">Absent(e) depuis</th>
              <th scope="col">Niveau</th>
              <th scope="col">Alerte</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const timeZone = session.departments.find((d) => d.code === item.departmentCode)?.timeZone ?? 'Europe/Paris';
              const name = item.youth ? `${item.youth.firstName} ${item.youth.lastNameInitial}.` : 'Identité effacée';
              return (
                <tr key={item.id} className={item.alertState === 'open' ? 'waiting' : undefined} data-fugue-id={item.id}>
                  <th scope="row">
                    <Link href={`/episodes/${item.id}`}>{name}</Link>
                    {item.status === 'located' && <span className="line2">{STATUS_LABELS.located}</span>}
                  </th>
                  <td>{item.youth ? `${item.youth.age} ans` : '—'}</td>
                  <td>{item.foyerName ?? `Département ${item.departmentCode}`}</td>
                  <td>
                    <time dateTime={item.noticedMissingAt} title={formatDateTime(item.noticedMissingAt, timeZone, now)}>
                      {elapsedSince(item.noticedMissingAt, now)}
                    </time>
                  </td>
                  <td>{item.effectiveLevel ? <span className={`badge ${item.effectiveLevel}`}>{LEVEL_LABELS[item.effectiveLevel]}</span> : 'En cours d’évaluation'}</td>
                  <td>{BOARD_ALERT_LABELS[item.alertState]}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
