import { api, must } from '../api/client';
import { ageOn, formatDate, formatDateTime } from '../format';
import { LEVEL_LABELS, SEX_LABELS, STATUS_LABELS, VULNERABILITY_LABELS } from '../labels';
import { Link } from '../router';
import { useSession, useTimeZone } from '../session';
import { Show, useLoad, useScreenTitle } from '../ui/common';

/** A youth's profile, their episodes, and the way to declare a fugue. */
export function YouthProfile({ id }: { id: string }) {
  const [loaded, reload] = useLoad(async () => {
    const youth = await must(api.GET('/v1/youths/{id}', { params: { path: { id } } }));
    const fugues = await must(api.GET('/v1/fugues', { params: { query: { youthId: id, limit: 200 } } }));
    return { youth, episodes: fugues.items };
  }, [id]);
  useScreenTitle('Profil du jeune');
  return (
    <Show loaded={loaded} retry={reload}>
      {({ youth, episodes }) => <Profile youth={youth} episodes={episodes} />}
    </Show>
  );
}

function Profile({ youth, episodes }: { youth: import('../api/client').Youth; episodes: import('../api/client').Schemas['FugueSummaryResponse'][] }) {
  const session = useSession();
  const foyer = session.foyers.find((f) => f.id === youth.foyerId);
  const timeZone = useTimeZone(foyer?.departmentCode);
  const open = episodes.find((e) => e.status === 'missing' || e.status === 'located');
  const name = `${youth.firstName ?? ''} ${youth.lastName ?? ''}`.trim() || 'Jeune (identité effacée)';
  return (
    <article aria-labelledby="titre-jeune">
      <h1 id="titre-jeune">{name}</h1>
      {open ? (
        <div className="notice worrying-border">
          <p>
            <strong>Fugue en cours</strong> ({STATUS_LABELS[open.status]}) depuis le {formatDateTime(open.noticedMissingAt, timeZone)}.
          </p>
          <Link className="button primary" href={`/episodes/${open.id}`}>
            Suivre la fugue en cours
          </Link>
        </div>
      ) : (
        !youth.erased && (
          <p>
            <Link className="button primary big" href={`/youths/${youth.id}/declare`}>
              Déclarer une fugue
            </Link>
          </p>
        )
      )}
      <dl className="facts">
        {youth.birthDate && (
          <>
            <dt>Date de naissance</dt>
            <dd>
              {formatDate(youth.birthDate)} ({ageOn(youth.birthDate)} ans)
            </dd>
          </>
        )}
        <dt>Sexe</dt>
        <dd>{SEX_LABELS[youth.sex]}</dd>
        <dt>Foyer</dt>
        <dd>{foyer?.name ?? '—'}</dd>
        <dt>Référence du dossier</dt>
        <dd>{youth.externalRef ?? '—'}</dd>
        <dt>Description</dt>
        <dd>{youth.description ?? '—'}</dd>
        <dt>Photo</dt>
        <dd>{youth.photoUrl ? <a href={youth.photoUrl} rel="noreferrer noopener" target="_blank">Ouvrir la photo (nouvel onglet)</a> : '—'}</dd>
        <dt>Téléphone</dt>
        <dd>{youth.phone ?? '—'}</dd>
        <dt>Lieux habituels</dt>
        <dd>{youth.usualPlaces.length ? youth.usualPlaces.join(' ; ') : '—'}</dd>
        <dt>Santé</dt>
        <dd>
          {youth.medical.vitalTreatment ? 'Traitement médical vital' : 'Pas de traitement vital'}
          {youth.medical.details ? ` — ${youth.medical.details}` : ''}
        </dd>
        <dt>Vulnérabilités</dt>
        <dd>{youth.vulnerabilities.length ? youth.vulnerabilities.map((v) => VULNERABILITY_LABELS[v as keyof typeof VULNERABILITY_LABELS] ?? v).join(' ; ') : 'Aucune renseignée'}</dd>
      </dl>
      {!youth.erased && (
        <p>
          <Link href={`/youths/${youth.id}/edit`}>Modifier le profil</Link>
        </p>
      )}
      <h2>Fugues</h2>
      {episodes.length === 0 ? (
        <p>Aucune fugue enregistrée.</p>
      ) : (
        <ul className="cards">
          {episodes.map((e) => (
            <li key={e.id}>
              <Link href={`/episodes/${e.id}`}>
                {formatDateTime(e.noticedMissingAt, timeZone)} — {STATUS_LABELS[e.status]}
                {e.effectiveLevel ? `, ${LEVEL_LABELS[e.effectiveLevel]}` : ''}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
