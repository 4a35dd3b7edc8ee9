import { useEffect } from 'react';
import { api, must } from '../api/client';
import { ageOn, formatDate, formatDateTime } from '../format';
import { DEPARTED_WITH_LABELS, LEVEL_LABELS, SEX_LABELS, STATUS_LABELS, VULNERABILITY_LABELS } from '../labels';
import { Link } from '../router';
import { useSession, useTimeZone } from '../session';
import { Show, useLoad } from '../ui/common';

/** The printable missing-person sheet (« fiche de signalement »): one A4 page. */
export function Fiche({ id }: { id: string }) {
  const [loaded, reload] = useLoad(async () => {
    const fugue = await must(api.GET('/v1/fugues/{id}', { params: { path: { id } } }));
    const youth = await must(api.GET('/v1/youths/{id}', { params: { path: { id: fugue.youthId } } }));
    return { fugue, youth };
  }, [id]);
  useEffect(() => {
    document.title = 'Fiche de signalement – Vigie';
  }, []);
  return (
    <main id="contenu" className="fiche-page">
      <Show loaded={loaded} retry={reload}>
        {(data) => <Sheet {...data} />}
      </Show>
    </main>
  );
}

function Sheet({ fugue, youth }: { fugue: import('../api/client').Fugue; youth: import('../api/client').Youth }) {
  const session = useSession();
  const timeZone = useTimeZone(fugue.departmentCode);
  const foyer = session.foyers.find((f) => f.id === fugue.foyerId);
  const name = `${youth.firstName ?? ''} ${youth.lastName ?? ''}`.trim();
  const at = (iso: string) => formatDateTime(iso, timeZone);
  return (
    <article className="fiche" aria-labelledby="titre-fiche">
      <p className="no-print actions">
        <Link href={`/episodes/${fugue.id}`}>Revenir à la fugue</Link>
        <button type="button" className="primary" onClick={() => window.print()}>
          Imprimer
        </button>
      </p>
      <header>
        <p className="fiche-kind">Fiche de signalement — mineur disparu</p>
        <h1 id="titre-fiche">{name}</h1>
        <p>
          Référence Vigie <strong>{fugue.id.slice(0, 8).toUpperCase()}</strong> · {STATUS_LABELS[fugue.status]}
          {fugue.effectiveLevel ? ` · niveau ${LEVEL_LABELS[fugue.effectiveLevel]}` : ''}
        </p>
      </header>
      <div className="fiche-body">
        {youth.photoUrl ? <img className="fiche-photo" src={youth.photoUrl} alt={`Photo de ${name}`} referrerPolicy="no-referrer" /> : <div className="fiche-photo empty">Pas de photo</div>}
        <dl className="facts">
          <dt>Né(e) le</dt>
          <dd>{youth.birthDate ? `${formatDate(youth.birthDate)} (${ageOn(youth.birthDate)} ans)` : '—'}</dd>
          <dt>Sexe</dt>
          <dd>{SEX_LABELS[youth.sex]}</dd>
          <dt>Description</dt>
          <dd>{youth.description ?? '—'}</dd>
          <dt>Tenue</dt>
          <dd>{fugue.clothing ?? '—'}</dd>
          <dt>Vu(e) pour la dernière fois</dt>
          <dd>
            {fugue.lastSeenAt ? `le ${at(fugue.lastSeenAt)}` : 'heure inconnue'}
            {fugue.lastSeenPlace ? `, ${fugue.lastSeenPlace}` : ''}
          </dd>
          <dt>Absence constatée</dt>
          <dd>le {at(fugue.noticedMissingAt)}</dd>
          <dt>Parti(e)</dt>
          <dd>
            {fugue.departedWith ? DEPARTED_WITH_LABELS[fugue.departedWith] : '—'}
            {fugue.vehicle ? ` (${fugue.vehicle})` : ''}
          </dd>
          <dt>Téléphone du jeune</dt>
          <dd>{youth.phone ?? '—'}</dd>
          <dt>Lieux habituels</dt>
          <dd>{youth.usualPlaces.length ? youth.usualPlaces.join(' ; ') : '—'}</dd>
          <dt>Besoins médicaux</dt>
          <dd>
            {youth.medical.vitalTreatment ? 'TRAITEMENT MÉDICAL VITAL' : 'Pas de traitement vital connu'}
            {youth.medical.details ? ` — ${youth.medical.details}` : ''}
          </dd>
          <dt>Vulnérabilités</dt>
          <dd>{youth.vulnerabilities.length ? youth.vulnerabilities.map((v) => VULNERABILITY_LABELS[v as keyof typeof VULNERABILITY_LABELS] ?? v).join(' ; ') : '—'}</dd>
        </dl>
      </div>
      <footer>
        <p className="small">Référence complète : {fugue.id}</p>
        <p>
          <strong>Contact : {foyer?.name ?? 'le foyer'}</strong> (département {fugue.departmentCode}). Toute information : contactez le foyer ou composez le 17.
        </p>
        <p className="small">Document confidentiel, contenant des données personnelles d’un mineur : à ne remettre qu’aux services qui le recherchent.</p>
      </footer>
    </article>
  );
}
