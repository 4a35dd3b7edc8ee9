import { api, must, type Fugue, type Interview, type Youth } from '../api/client';
import { formatDateTime } from '../format';
import { episodeDuration, historyBrief, type HistoryEntry } from '../history';
import { EXPLOITATION_LABELS, FOUND_BY_LABELS, INTERVIEW_STATUS_LABELS, LEVEL_LABELS, PULL_FACTOR_LABELS, PUSH_FACTOR_LABELS, REFERRAL_LABELS, STATUS_LABELS } from '../labels';
import { Link } from '../router';
import { useSession, useTimeZone } from '../session';
import { Show, useLoad, useScreenTitle } from '../ui/common';
import { INTERVIEW_READERS } from './Episode';
import { LinkList } from './EpisodeLinks';

/** The episodes read in full (how each ended, their interviews): the latest ones, enough to see a pattern. */
const EPISODES_READ = 20;

interface Past {
  entry: HistoryEntry;
  /** The episode read in full; undefined beyond the latest EPISODES_READ. */
  fugue: Fugue | undefined;
  /** null: the caller's role may not read return interviews (or the episode was not read in full); undefined: none was held or scheduled. */
  interview: Interview | null | undefined;
}

async function loadHistory(youthId: string, readsInterviews: boolean): Promise<{ youth: Youth; episodes: Past[] }> {
  const [youth, history] = await Promise.all([
    must(api.GET('/v1/youths/{id}', { params: { path: { id: youthId } } })),
    must(api.GET('/v1/youths/{id}/history', { params: { path: { id: youthId } } })),
  ]);
  // The history comes oldest first; the page shows the newest first.
  const entries = [...history.items].reverse();
  const episodes = await Promise.all(
    entries.map(async (entry, i): Promise<Past> => {
      if (i >= EPISODES_READ) return { entry, fugue: undefined, interview: null };
      const fugue = await must(api.GET('/v1/fugues/{id}', { params: { path: { id: entry.fugueId } } }));
      if (!readsInterviews) return { entry, fugue, interview: null };
      const interviews = await must(api.GET('/v1/return-interviews', { params: { query: { fugueId: entry.fugueId } } }));
      const first = interviews.items[0];
      return { entry, fugue, interview: first ? await must(api.GET('/v1/return-interviews/{id}', { params: { path: { id: first.id } } })) : undefined };
    }),
  );
  return { youth, episodes };
}

/**
 * All the episodes of one youth, newest first: when, how long, how worrying, where found each
 * time, what the return interviews said (for the roles that read them) and the links to other
 * youths' episodes, so that a repeat pattern — short fugues one after another, the same place
 * again, exploitation signs, the same companions or car — shows at once.
 */
export function YouthHistory({ id }: { id: string }) {
  useScreenTitle('Historique des fugues');
  const { me } = useSession();
  const readsInterviews = INTERVIEW_READERS.includes(me.role);
  const [loaded, reload] = useLoad(() => loadHistory(id, readsInterviews), [id]);
  return <Show loaded={loaded} retry={reload}>{(data) => <History {...data} readsInterviews={readsInterviews} />}</Show>;
}

function History({ youth, episodes, readsInterviews }: { youth: Youth; episodes: Past[]; readsInterviews: boolean }) {
  const session = useSession();
  const departmentCode = session.foyers.find((f) => f.id === youth.foyerId)?.departmentCode ?? episodes[0]?.entry.departmentCode;
  const timeZone = useTimeZone(departmentCode);
  const at = (iso: string) => formatDateTime(iso, timeZone);
  const name = `${youth.firstName ?? ''} ${youth.lastName ?? ''}`.trim() || 'Jeune (identité effacée)';
  const brief = historyBrief(
    episodes.map((e) => e.entry),
    new Date(),
  );
  const exploitation = episodes.filter(
    (e) => e.entry.status !== 'cancelled' && e.interview && (e.interview.exploitationIndicators.length > 0 || e.interview.disclosures?.sexualExploitation || e.interview.pullFactors.includes('EXPLOITATION')),
  ).length;
  const readInFull = Math.min(episodes.length, EPISODES_READ);
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
            {brief.count} fugue{brief.count > 1 ? 's' : ''} : {brief.last30} dans les 30 derniers jours, {brief.last90} dans les 90 derniers jours
          </li>
          <li>
            {brief.worrying} préoccupante{brief.worrying > 1 ? 's' : ''}
          </li>
          {brief.placesAgain.map(({ place, n }) => (
            <li key={place}>
              <strong>
                Retrouvé(e) {n} fois au même endroit : {place}
              </strong>
            </li>
          ))}
          {brief.linked > 0 && (
            <li>
              <strong>
                {brief.linked} fugue{brief.linked > 1 ? 's' : ''} liée{brief.linked > 1 ? 's' : ''} à celles d’autres jeunes
              </strong>
            </li>
          )}
          {readsInterviews && exploitation > 0 && (
            <li>
              <strong>
                Signes d’exploitation relevés lors de {exploitation} entretien{exploitation > 1 ? 's' : ''} de retour
              </strong>
            </li>
          )}
          {!readsInterviews && <li>Votre rôle ne donne pas accès aux entretiens de retour.</li>}
          {readsInterviews && episodes.length > EPISODES_READ && <li>Les entretiens de retour sont lus pour les {EPISODES_READ} dernières fugues.</li>}
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
              <th scope="col">Liens</th>
            </tr>
          </thead>
          <tbody>
            {episodes.map(({ entry, fugue, interview }, i) => (
              <tr key={entry.fugueId} data-fugue-id={entry.fugueId}>
                <td>
                  <Link href={`/episodes/${entry.fugueId}`}>{at(entry.t0)}</Link>
                  <br />
                  {STATUS_LABELS[entry.status as keyof typeof STATUS_LABELS] ?? entry.status}
                </td>
                <td>{episodeDuration(entry)}</td>
                <td>{entry.level ? LEVEL_LABELS[entry.level] : '—'}</td>
                <td>{fugue ? found(fugue, at) : foundInBrief(entry, at)}</td>
                {readsInterviews && <td>{i >= readInFull ? 'Non lu' : interview ? outcome(interview) : 'Aucun'}</td>}
                <td>{entry.links.length ? <LinkList links={entry.links} /> : 'Aucun'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

/** Where and when the youth was found, from the history alone (an episode not read in full). */
function foundInBrief(entry: HistoryEntry, at: (iso: string) => string): string {
  if (!entry.end || entry.status === 'cancelled' || entry.status === 'missing') return 'pas encore';
  return `${entry.status === 'located' ? 'localisé(e)' : 'revenu(e)'} le ${at(entry.end)}${entry.foundAt ? `, ${entry.foundAt}` : ''}`;
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
