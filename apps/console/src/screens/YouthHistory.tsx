import { api, must, type Fugue, type Interview, type Youth } from '../api/client';
import { formatDateTime } from '../format';
import { EXPLOITATION_LABELS, FOUND_BY_LABELS, INTERVIEW_STATUS_LABELS, LEVEL_LABELS, PULL_FACTOR_LABELS, PUSH_FACTOR_LABELS, REFERRAL_LABELS, STATUS_LABELS } from '../labels';
import { Link } from '../router';
import { useSession, useTimeZone } from '../session';
import { Show, useLoad, useScreenTitle } from '../ui/common';
import { INTERVIEW_READERS } from './Episode';

/** The episodes read in full (their places and interviews): the latest ones, enough to see a pattern. */
const EPISODES_READ = 20;
const DAY_MS = 86_400_000;

interface Past {
  fugue: Fugue;
  /** null: the caller's role may not read return interviews; undefined: none was held or scheduled. */
  interview: Interview | null | undefined;
}

async function loadHistory(youthId: string, readsInterviews: boolean): Promise<{ youth: Youth; episodes: Past[]; more: boolean }> {
  const [youth, page] = await Promise.all([
    must(api.GET('/v1/youths/{id}', { params: { path: { id: youthId } } })),
    must(api.GET('/v1/fugues', { params: { query: { youthId, limit: EPISODES_READ } } })),
  ]);
  const episodes = await Promise.all(
    page.items.map(async (summary): Promise<Past> => {
      const fugue = await must(api.GET('/v1/fugues/{id}', { params: { path: { id: summary.id } } }));
      if (!readsInterviews) return { fugue, interview: null };
      const interviews = await must(api.GET('/v1/return-interviews', { params: { query: { fugueId: summary.id } } }));
      const first = interviews.items[0];
      return { fugue, interview: first ? await must(api.GET('/v1/return-interviews/{id}', { params: { path: { id: first.id } } })) : undefined };
    }),
  );
  return { youth, episodes, more: page.nextCursor !== null };
}

/**
 * All the episodes of one youth, newest first: when, how long, how worrying, where found each
 * time and what the return interviews said (for the roles that read them), so that a repeat
 * pattern — short fugues one after another, the same place again, exploitation signs — shows at once.
 */
export function YouthHistory({ id }: { id: string }) {
  useScreenTitle('Historique des fugues');
  const { me } = useSession();
  const readsInterviews = INTERVIEW_READERS.includes(me.role);
  const [loaded, reload] = useLoad(() => loadHistory(id, readsInterviews), [id]);
  return <Show loaded={loaded} retry={reload}>{(data) => <History {...data} readsInterviews={readsInterviews} />}</Show>;
}

function History({ youth, episodes, more, readsInterviews }: { youth: Youth; episodes: Past[]; more: boolean; readsInterviews: boolean }) {
  const session = useSession();
  const departmentCode = session.foyers.find((f) => f.id === youth.foyerId)?.departmentCode ?? episodes[0]?.fugue.departmentCode;
  const timeZone = useTimeZone(departmentCode);
  const at = (iso: string) => formatDateTime(iso, timeZone);
  const name = `${youth.firstName ?? ''} ${youth.lastName ?? ''}`.trim() || 'Jeune (identité effacée)';
  const counted = episodes.filter((e) => e.fugue.status !== 'cancelled');
  const now = Date.now();
  const within = (days: number) => counted.filter((e) => now - new Date(e.fugue.noticedMissingAt).getTime() <= days * DAY_MS).length;
  const worrying = counted.filter((e) => e.fugue.effectiveLevel === 'worrying').length;
  // Places compared whatever the case, named as first written.
  const places = new Map<string, { place: string; n: number }>();
  for (const { fugue } of counted) {
    const place = foundPlace(fugue);
    if (place) places.set(place.toLowerCase(), { place: places.get(place.toLowerCase())?.place ?? place, n: (places.get(place.toLowerCase())?.n ?? 0) + 1 });
  }
  const again = [...places.values()].filter(({ n }) => n > 1);
  const exploitation = counted.filter((e) => e.interview && (e.interview.exploitationIndicators.length > 0 || e.interview.disclosures?.sexualExploitation || e.interview.pullFactors.includes('EXPLOITATION'))).length;
  return (
    <article aria-labelledby="titre-historique">
      <h1 id="titre-historique">Historique des fugues de {name}</h1>
      <p className="actions">
        <Link href={`/youths/${youth.id}`}>Profil du jeune</Link>
      </p>
      <section aria-labelledby="titre-en-bref" className="notice">
        <h2 id="titre-en-bref">En bref</h2>
        <ul>
          <li>
            {counted.length} fugue{counted.length > 1 ? 's' : ''}
            {more ? ` (les ${EPISODES_READ} dernières)` : ''} : {within(30)} dans les 30 derniers jours, {within(90)} dans les 90 derniers jours
          </li>
          <li>
            {worrying} préoccupante{worrying > 1 ? 's' : ''}
          </li>
          {again.map(({ place, n }) => (
            <li key={place}>
              <strong>
                Retrouvé(e) {n} fois au même endroit : {place}
              </strong>
            </li>
          ))}
          {readsInterviews && exploitation > 0 && (
            <li>
              <strong>
                Signes d’exploitation relevés lors de {exploitation} entretien{exploitation > 1 ? 's' : ''} de retour
              </strong>
            </li>
          )}
          {!readsInterviews && <li>Votre rôle ne donne pas accès aux entretiens de retour.</li>}
        </ul>
      </section>
      {episodes.length === 0 ? (
        <p>Aucune fugue enregistrée.</p>
      ) : (
        <table className="history">
          <caption>Fugues, de la plus récente à la plus ancienne</caption>
          <thead>
            <tr>
              <th scope="col">Absence constatée</th>
              <th scope="col">Durée</th>
              <th scope="col">Niveau</th>
              <th scope="col">Retrouvé(e)</th>
              {readsInterviews && <th scope="col">Entretien de retour</th>}
            </tr>
          </thead>
          <tbody>
            {episodes.map(({ fugue, interview }) => (
              <tr key={fugue.id}>
                <td>
                  <Link href={`/episodes/${fugue.id}`}>{at(fugue.noticedMissingAt)}</Link>
                  <br />
                  {STATUS_LABELS[fugue.status]}
                </td>
                <td>{duration(fugue)}</td>
                <td>{fugue.effectiveLevel ? LEVEL_LABELS[fugue.effectiveLevel] : '—'}</td>
                <td>{found(fugue, at)}</td>
                {readsInterviews && <td>{interview ? outcome(interview) : 'Aucun'}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

function foundPlace(fugue: Fugue): string | null {
  return fugue.returned?.place?.trim() || fugue.located?.place?.trim() || null;
}

function found(fugue: Fugue, at: (iso: string) => string): string {
  const parts: string[] = [];
  if (fugue.located) parts.push(`localisé(e) le ${at(fugue.located.at)}${fugue.located.place ? `, ${fugue.located.place}` : ''}`);
  if (fugue.returned) {
    parts.push(
      `revenu(e) le ${at(fugue.returned.at)}${fugue.returned.place ? `, ${fugue.returned.place}` : ''} — ${FOUND_BY_LABELS[fugue.returned.foundBy as keyof typeof FOUND_BY_LABELS] ?? fugue.returned.foundBy}`,
    );
  }
  return parts.length ? parts.join(' ; ') : 'pas encore';
}

function duration(fugue: Fugue): string {
  const end = fugue.returnedAt ?? fugue.locatedAt;
  if (!end) return fugue.status === 'cancelled' ? '—' : 'en cours';
  const hours = Math.round((new Date(end).getTime() - new Date(fugue.noticedMissingAt).getTime()) / 3_600_000);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} jours`;
}

function outcome(interview: Interview): string {
  const parts = [INTERVIEW_STATUS_LABELS[interview.status]];
  const disclosed = interview.disclosures ? Object.entries(interview.disclosures).filter(([, v]) => v === true).length : 0;
  if (disclosed) parts.push('révélations faites');
  if (interview.pushFactors.length) parts.push(`raisons du départ : ${interview.pushFactors.map((c) => PUSH_FACTOR_LABELS[c]).join(', ')}`);
  if (interview.pullFactors.length) parts.push(`attiré(e) par : ${interview.pullFactors.map((c) => PULL_FACTOR_LABELS[c]).join(', ')}`);
  if (interview.exploitationIndicators.length) parts.push(`signes d’exploitation : ${interview.exploitationIndicators.map((c) => EXPLOITATION_LABELS[c]).join(', ')}`);
  if (interview.referrals.length) parts.push(`suites : ${interview.referrals.map((c) => REFERRAL_LABELS[c]).join(', ')}`);
  return parts.join(' ; ');
}
