import type { Fugue } from '../api/client';
import { ageOn, formatDate } from '../format';
import { DEPARTED_WITH_LABELS, INDICATOR_LABELS, SEX_LABELS, VULNERABILITY_LABELS } from '../labels';

type Indicator = keyof typeof INDICATOR_LABELS;

/**
 * What a searcher needs, in words: the youth's profile as the episode carries it (its reading is
 * audited by the API) and the facts of the declaration.
 */
export function EpisodeFacts({ fugue, at }: { fugue: Fugue; at: (iso: string) => string }) {
  const youth = fugue.youth;
  const belongings = fugue.belongings
    ? [fugue.belongings.phone && 'son téléphone', fugue.belongings.money && 'de l’argent', fugue.belongings.idDocument && 'une pièce d’identité'].filter(Boolean)
    : [];
  return (
    <section aria-labelledby="titre-faits">
      <h2 id="titre-faits">Le jeune et les faits</h2>
      <dl className="facts">
        {youth?.birthDate && (
          <>
            <dt>Né(e) le</dt>
            <dd>
              {formatDate(youth.birthDate)} ({ageOn(youth.birthDate)} ans)
            </dd>
          </>
        )}
        {youth && (
          <>
            <dt>Sexe</dt>
            <dd>{SEX_LABELS[youth.sex as keyof typeof SEX_LABELS] ?? youth.sex}</dd>
            <dt>Description</dt>
            <dd>{youth.description ?? '—'}</dd>
            <dt>Photo</dt>
            <dd>
              {youth.photoUrl ? (
                <a href={youth.photoUrl} rel="noreferrer noopener" target="_blank">
                  Ouvrir la photo (nouvel onglet)
                </a>
              ) : (
                '—'
              )}
            </dd>
            <dt>Téléphone du jeune</dt>
            <dd>{youth.phone ?? '—'}</dd>
            <dt>Lieux habituels</dt>
            <dd>{youth.usualPlaces.length ? youth.usualPlaces.join(' ; ') : '—'}</dd>
            <dt>Santé</dt>
            <dd>
              {youth.medical.vitalTreatment ? 'Traitement médical vital' : 'Pas de traitement vital connu'}
              {youth.medical.details ? ` — ${youth.medical.details}` : ''}
            </dd>
            <dt>Vulnérabilités</dt>
            <dd>{youth.vulnerabilities.length ? youth.vulnerabilities.map((v) => VULNERABILITY_LABELS[v as keyof typeof VULNERABILITY_LABELS] ?? v).join(' ; ') : 'Aucune renseignée'}</dd>
          </>
        )}
        <dt>Vu(e) pour la dernière fois</dt>
        <dd>
          {fugue.lastSeenAt ? `le ${at(fugue.lastSeenAt)}` : 'heure inconnue'}
          {fugue.lastSeenPlace ? `, ${fugue.lastSeenPlace}` : ''}
        </dd>
        <dt>Tenue</dt>
        <dd>{fugue.clothing ?? '—'}</dd>
        <dt>Parti(e)</dt>
        <dd>
          {fugue.departedWith ? DEPARTED_WITH_LABELS[fugue.departedWith as keyof typeof DEPARTED_WITH_LABELS] : '—'}
          {fugue.vehicle ? ` (${fugue.vehicle})` : ''}
        </dd>
        <dt>A emporté</dt>
        <dd>{fugue.belongings ? (belongings.length ? belongings.join(', ') : 'ni téléphone, ni argent, ni pièce d’identité') : '—'}</dd>
        <dt>Circonstances</dt>
        <dd>{fugue.circumstances ?? '—'}</dd>
        <dt>Signes observés</dt>
        <dd>{fugue.indicators.length ? fugue.indicators.map((c) => INDICATOR_LABELS[c as Indicator] ?? c).join(' ; ') : 'Aucun'}</dd>
        <dt>Inquiétude de l’équipe</dt>
        <dd>
          {fugue.staffConcern ? (fugue.staffConcern.worrying ? 'L’équipe est inquiète' : 'L’équipe n’est pas inquiète') : '—'}
          {fugue.staffConcern?.note ? ` — « ${fugue.staffConcern.note} »` : ''}
        </dd>
        {fugue.policeReport && (
          <>
            <dt>Signalement à la police</dt>
            <dd>{[fugue.policeReport.service, fugue.policeReport.reference && `référence ${fugue.policeReport.reference}`].filter(Boolean).join(', ') || 'fait'}</dd>
          </>
        )}
        {fugue.located && (
          <>
            <dt>Localisé(e)</dt>
            <dd>
              le {at(fugue.located.at)}
              {fugue.located.place ? `, ${fugue.located.place}` : ''}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
