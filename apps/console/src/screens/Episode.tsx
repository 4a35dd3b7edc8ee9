import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { api, must, newIdempotencyKey, type Fugue, type Interview, type Schemas, type TimelineEntry } from '../api/client';
import { countdown, formatDateTime, fromLocalInput, toLocalInput } from '../format';
import {
  ACTOR_ROLE_LABELS,
  DEPARTED_WITH_LABELS,
  FOUND_BY_LABELS,
  HOTLINE_CALLER_LABELS,
  INDICATOR_LABELS,
  INTERVIEW_STATUS_LABELS,
  LEVEL_LABELS,
  reasonLabel,
  REFERRAL_LABELS,
  ROLE_LABELS,
  STATUS_LABELS,
  TIMELINE_LABELS,
} from '../labels';
import { linkReasonsSentence } from '../connections';
import { Link } from '../router';
import { useSession, useTimeZone } from '../session';
import { useLiveEvents } from '../live';
import { ClassificationView } from '../ui/classification';
import { Checkboxes, ErrorBox, Show, useLoad, useScreenTitle } from '../ui/common';
import { ConnectionsFields, SubmitError, useConnectionsForm, useFoyerYouths } from '../ui/connections';
import { EpisodeAlert, loadAlert, type Alert } from './EpisodeAlert';
import { EpisodeFacts } from './EpisodeFacts';
import { EpisodeConnections, EpisodeLinks } from './EpisodeLinks';
import { HotlineReport } from './HotlineReport';
import { OverrideLevel, OVERRIDING_ROLES } from './OverrideLevel';

type Indicator = keyof typeof INDICATOR_LABELS;
type FoundBy = keyof typeof FOUND_BY_LABELS;

interface Loaded {
  fugue: Fugue;
  timeline: TimelineEntry[];
  links: Schemas['LinkResponse'][];
  interview: Interview | null;
  alert: Alert | null;
}

/** The roles that read return interviews (the police and the hotline may not). */
export const INTERVIEW_READERS = ['admin', 'foyer', 'child_protection'];
/** The foyer's own acts: declaring the return, closing, cancelling (api.md § Roles and scopes). */
const FOYER_ROLES = ['admin', 'foyer'];
/** The roles that read a foyer's youths (GET /v1/youths): a companion is picked among them. */
const YOUTH_READERS = ['admin', 'foyer'];
/** The fields of the forms as the API names them in a refusal. */
const UPDATE_FIELDS: Record<string, string> = { note: 'Information', 'sighting.at': 'Aperçu(e) le', 'sighting.place': 'Aperçu(e) à', indicators: 'Nouveaux signes observés' };
const RETURN_FIELDS: Record<string, string> = { returnedAt: 'Revenu(e) le', place: 'Où a-t-il (elle) été retrouvé(e) ?', foundBy: 'Retrouvé(e) par' };
/** Updates, sightings and « located » (the hotline reports through its own form). */
const FIELD_ROLES = ['admin', 'foyer', 'police', 'child_protection'];

async function loadEpisode(id: string, role: string): Promise<Loaded> {
  const [fugue, timeline, links, interviews, alert] = await Promise.all([
    must(api.GET('/v1/fugues/{id}', { params: { path: { id } } })),
    must(api.GET('/v1/fugues/{id}/timeline', { params: { path: { id } } })),
    must(api.GET('/v1/fugues/{id}/links', { params: { path: { id } } })),
    INTERVIEW_READERS.includes(role) ? must(api.GET('/v1/return-interviews', { params: { query: { fugueId: id } } })) : null,
    loadAlert(id),
  ]);
  const first = interviews?.items[0];
  const interview = first ? await must(api.GET('/v1/return-interviews/{id}', { params: { path: { id: first.id } } })) : null;
  return { fugue, timeline: timeline.items, links: links.items, interview, alert };
}

/** Following an episode: its state, its timeline in words, and what can be done next. */
export function EpisodeScreen({ id }: { id: string }) {
  useScreenTitle('Suivi de la fugue');
  const { me } = useSession();
  const [loaded, reload] = useLoad(() => loadEpisode(id, me.role), [id]);
  // What others do to this episode (an acknowledgement, a triage) shows without reloading the page.
  useLiveEvents((event) => event.fugueId === id, reload);
  return (
    <Show loaded={loaded} retry={reload}>
      {(data) => <Episode {...data} reload={reload} />}
    </Show>
  );
}

function Episode({ fugue, timeline, links, interview, alert, reload }: Loaded & { reload: () => void }) {
  const { me, vocabularies } = useSession();
  const role = me.role;
  const timeZone = useTimeZone(fugue.departmentCode);
  const at = (iso: string) => formatDateTime(iso, timeZone);
  const name = `${fugue.youth?.firstName ?? ''} ${fugue.youth?.lastName ?? ''}`.trim() || 'Jeune';
  const open = fugue.status === 'missing' || fugue.status === 'located';
  // What the last action did, said where a screen reader hears it; the page reloads underneath.
  const [confirmation, setConfirmation] = useState('');
  const done = (message: string) => {
    setConfirmation(message);
    reload();
  };
  return (
    <article aria-labelledby="titre-episode">
      <h1 id="titre-episode">Fugue de {name}</h1>
      <p className="status-line">
        <span className={`badge ${fugue.status}`}>{STATUS_LABELS[fugue.status]}</span>
        {fugue.effectiveLevel && <span className={`badge ${fugue.effectiveLevel}`}>{LEVEL_LABELS[fugue.effectiveLevel]}</span>}
        <span>Absence constatée le {at(fugue.noticedMissingAt)}</span>
      </p>
      <div role="status" aria-live="polite">
        {confirmation && <p className="notice">{confirmation}</p>}
      </div>
      {role !== 'hotline' && (
        <p className="actions">
          <Link href={`/youths/${fugue.youthId}`}>Profil du jeune</Link>
          <Link href={`/youths/${fugue.youthId}/history`}>Historique des fugues du jeune</Link>
          <Link href={`/episodes/${fugue.id}/fiche`}>Fiche de signalement (à imprimer)</Link>
        </p>
      )}
      {!fugue.classification && fugue.status !== 'cancelled' && <p role="status">Évaluation du niveau en cours : la page se met à jour d’elle-même dans quelques secondes.</p>}
      {fugue.classification && <ClassificationView classification={{ level: fugue.effectiveLevel ?? fugue.classification.level, reasons: fugue.classification.reasons }} heading="Niveau" />}
      {fugue.override && (
        <p>
          Niveau fixé à la main : {LEVEL_LABELS[fugue.override.level]} le {at(fugue.override.at)}
          {fugue.override.reason ? ` (« ${fugue.override.reason} »)` : ''}.
        </p>
      )}
      <EpisodeLinks links={links} at={at} />
      {alert && <EpisodeAlert alert={alert} timeline={timeline} role={role} at={at} done={done} />}
      {interview && (
        <section className="notice" aria-labelledby="titre-entretien-resume">
          <h2 id="titre-entretien-resume">Entretien de retour</h2>
          <p>
            {INTERVIEW_STATUS_LABELS[interview.status]}
            {interview.status === 'scheduled' && (
              <>
                {' '}
                — à mener avant le {at(interview.dueAt)} ({countdown(interview.dueAt)})
              </>
            )}
          </p>
          <Link className="button" href={`/episodes/${fugue.id}/interview`}>
            {interview.status === 'scheduled' ? 'Mener l’entretien de retour' : 'Voir l’entretien de retour'}
          </Link>
        </section>
      )}
      {open && FIELD_ROLES.includes(role) && <Actions fugue={fugue} timeZone={timeZone} role={role} done={done} />}
      {fugue.status === 'returned' && FOYER_ROLES.includes(role) && <CloseOrCancel fugue={fugue} kind="close" done={() => done('Épisode clos.')} />}
      {fugue.status !== 'closed' && fugue.status !== 'cancelled' && OVERRIDING_ROLES.includes(role) && <OverrideLevel fugue={fugue} role={role} done={done} />}
      {role === 'hotline' && ['missing', 'located', 'returned'].includes(fugue.status) && <HotlineReport fugue={fugue} timeZone={timeZone} done={done} />}
      <EpisodeFacts fugue={fugue} at={at} />
      <EpisodeConnections fugue={fugue} at={at} />
      <section aria-labelledby="titre-chronologie">
        <h2 id="titre-chronologie">Chronologie</h2>
        <ol className="timeline">
          {timeline.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{at(e.at)}</time>
              <p>
                <strong>{TIMELINE_LABELS[e.type] ?? e.type}</strong>
                {describe(e, at, vocabularies.linkReasons)}
              </p>
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

/** The free texts an entry may carry, named. */
const TEXT_LABELS: Record<string, string> = {
  sightingPlace: 'lieu',
  place: 'lieu',
  lastSeenPlace: 'vu(e) pour la dernière fois à',
  staffConcernNote: 'inquiétude de l’équipe',
  reason: 'motif',
  summary: 'résumé de l’appel',
  clothing: 'tenue',
  circumstances: 'circonstances',
};

/** The details of a timeline entry, in words. */
function describe(e: TimelineEntry, at: (iso: string) => string, linkReasons: readonly { code: string; label: string }[]): ReactNode {
  const data = e.data as Record<string, unknown>;
  const text = (e.text ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (e.type === 'linked' || e.type === 'link.indicator') {
    const reasons = Array.isArray(data.reasons) ? (data.reasons as string[]) : [];
    if (e.type === 'link.indicator') parts.push(`indicateur : ${INDICATOR_LABELS.PEER_EXPLOITED}`);
    if (reasons.length) parts.push(`${linkReasonsSentence(reasons, linkReasons)}${data.linkedFugueId ? '' : ' (un autre épisode hors de votre périmètre)'}`);
    return parts.length ? ` — ${parts.join(' ; ')}` : null;
  }
  if (typeof data.level === 'string') parts.push(`niveau ${LEVEL_LABELS[data.level as 'routine'] ?? data.level}`);
  const listed = Array.isArray(data.reasonCodes) ? data.reasonCodes : Array.isArray(data.reasons) ? data.reasons : [];
  const reasons = (listed as unknown[]).map((r) => (typeof r === 'string' ? r : ((r as { code?: string }).code ?? ''))).filter(Boolean);
  if (reasons.length) parts.push(`raisons : ${reasons.map(reasonLabel).join(', ')}`);
  if (Array.isArray(data.indicators) && data.indicators.length) parts.push(`signes : ${(data.indicators as Indicator[]).map((c) => INDICATOR_LABELS[c] ?? c).join(', ')}`);
  const concern = data.staffConcern as { worrying?: boolean } | undefined;
  if (concern && typeof concern.worrying === 'boolean') parts.push(concern.worrying ? 'l’équipe est inquiète' : 'l’équipe n’est pas inquiète');
  if (typeof data.sightingAt === 'string') parts.push(`vu(e) le ${at(data.sightingAt)}`);
  if (typeof data.departedWith === 'string') parts.push(`parti(e) : ${DEPARTED_WITH_LABELS[data.departedWith as 'alone'] ?? data.departedWith}`);
  if (typeof data.foundBy === 'string') parts.push(`retrouvé(e) par : ${FOUND_BY_LABELS[data.foundBy as FoundBy] ?? data.foundBy}`);
  if (Array.isArray(data.roles) && data.roles.length) parts.push(`référents prévenus : ${(data.roles as string[]).map((r) => ROLE_LABELS[r] ?? r).join(', ')}`);
  if (typeof data.step === 'number' && e.type === 'alert.step') parts.push(`étape ${data.step + 1}`);
  if (e.type === 'alert.acknowledged' && typeof data.role === 'string') parts.push(`par ${ACTOR_ROLE_LABELS[data.role] ?? data.role}`);
  if (e.type === 'hotline.call' && typeof data.caller === 'string') parts.push(`appel de : ${HOTLINE_CALLER_LABELS[data.caller as 'youth'] ?? data.caller}`);
  if (typeof data.outcome === 'string') parts.push(`résultat : ${INTERVIEW_STATUS_LABELS[data.outcome as 'completed'] ?? data.outcome}`);
  if (e.type === 'interview.disclosure' && data.signalementAdded !== undefined) {
    parts.push('signalement au procureur de la République');
    parts.push('les référents désignés pour les révélations sont prévenus');
  }
  if (Array.isArray(data.referrals) && data.referrals.length) parts.push(`suites : ${(data.referrals as string[]).map((r) => REFERRAL_LABELS[r as 'MEDICAL_CHECK'] ?? r).join(', ')}`);
  if (data.automatic === true) parts.push('automatiquement');
  for (const [key, value] of Object.entries(text)) {
    if (typeof value === 'string' && value) parts.push(`${TEXT_LABELS[key] ? `${TEXT_LABELS[key]} : ` : ''}« ${value} »`);
  }
  return parts.length ? ` — ${parts.join(' ; ')}` : null;
}

function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** `refused`: told of the error too (the connections place the API's refusals at their rows). */
  const run = async (work: () => Promise<unknown>, done: () => void, refused?: (error: unknown) => void) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      done();
    } catch (e) {
      setError(e);
      refused?.(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function Actions({ fugue, timeZone, role, done }: { fugue: Fugue; timeZone: string; role: string; done: (confirmation: string) => void }) {
  const [open, setOpen] = useState<'update' | 'located' | 'return' | 'cancel' | null>(null);
  const toggle = (what: typeof open) => setOpen((current) => (current === what ? null : what));
  const finish = (confirmation: string) => () => {
    setOpen(null);
    done(confirmation);
  };
  const foyerActs = FOYER_ROLES.includes(role);
  return (
    <section aria-labelledby="titre-actions">
      <h2 id="titre-actions">Que s’est-il passé ?</h2>
      <div className="actions">
        <button type="button" aria-expanded={open === 'update'} onClick={() => toggle('update')}>
          Ajouter une information ou un signalement
        </button>
        {fugue.status === 'missing' && (
          <button type="button" aria-expanded={open === 'located'} onClick={() => toggle('located')}>
            Jeune localisé(e)
          </button>
        )}
        {foyerActs && (
          <button type="button" aria-expanded={open === 'return'} onClick={() => toggle('return')}>
            Déclarer le retour
          </button>
        )}
        {foyerActs && fugue.status === 'missing' && (
          <button type="button" aria-expanded={open === 'cancel'} onClick={() => toggle('cancel')}>
            Annuler (déclarée par erreur)
          </button>
        )}
      </div>
      {open === 'update' && (
        <UpdateForm fugue={fugue} timeZone={timeZone} teamConcern={foyerActs} role={role} done={finish('Information enregistrée : elle figure dans la chronologie, et le niveau de la fugue est réévalué.')} />
      )}
      {open === 'located' && <LocatedForm fugue={fugue} timeZone={timeZone} done={finish('Jeune localisé(e) : c’est enregistré, et l’alerte en cours, s’il y en a une, prend fin.')} />}
      {open === 'return' && <ReturnForm fugue={fugue} timeZone={timeZone} done={finish('Retour déclaré : l’entretien de retour est prévu.')} />}
      {open === 'cancel' && <CloseOrCancel fugue={fugue} kind="cancel" done={finish('Déclaration annulée.')} />}
    </section>
  );
}

/** `teamConcern`: the foyer's team speaks (a referent adds facts, not the team's worry). */
function UpdateForm({ fugue, timeZone, teamConcern, role, done }: { fugue: Fugue; timeZone: string; teamConcern: boolean; role: string; done: () => void }) {
  const [note, setNote] = useState('');
  const [sighting, setSighting] = useState(false);
  const [sightingAt, setSightingAt] = useState(() => toLocalInput(new Date().toISOString(), timeZone));
  const [sightingPlace, setSightingPlace] = useState('');
  const [indicators, setIndicators] = useState<Indicator[]>([]);
  const [worrying, setWorrying] = useState<'same' | 'yes' | 'no'>('same');
  const key = useMemo(newIdempotencyKey, []);
  const { busy, error, run } = useAction();
  const connections = useConnectionsForm(timeZone);
  const [companionsWanted, setCompanionsWanted] = useState(false);
  const youths = useFoyerYouths(YOUTH_READERS.includes(role) ? fugue.foyerId : null, fugue.youthId, companionsWanted);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const at = fromLocalInput(sightingAt, timeZone);
    const told = connections.build();
    void run(
      () =>
        must(
          api.POST('/v1/fugues/{id}/updates', {
            params: { path: { id: fugue.id } },
            headers: { 'Idempotency-Key': key },
            body: {
              ...(note.trim() ? { note: note.trim() } : {}),
              ...(indicators.length ? { indicators } : {}),
              ...(worrying !== 'same' ? { staffConcern: { worrying: worrying === 'yes' } } : {}),
              ...(sighting && at ? { sighting: { at, ...(sightingPlace.trim() ? { place: sightingPlace.trim() } : {}) } } : {}),
              ...(told ? { connections: told } : {}),
            },
          }),
        ),
      done,
      connections.refused,
    );
  };
  return (
    <form onSubmit={submit} className="panel" aria-label="Ajouter une information ou un signalement">
      <label className="check">
        <input type="checkbox" checked={sighting} onChange={(e) => setSighting(e.target.checked)} /> Le jeune a été aperçu (signalement)
      </label>
      {sighting && (
        <>
          <label htmlFor="sightingAt">Aperçu(e) le</label>
          <input id="sightingAt" type="datetime-local" required value={sightingAt} onChange={(e) => setSightingAt(e.target.value)} />
          <label htmlFor="sightingPlace">Aperçu(e) à (lieu)</label>
          <input id="sightingPlace" maxLength={2000} value={sightingPlace} onChange={(e) => setSightingPlace(e.target.value)} />
        </>
      )}
      <label htmlFor="note">Information</label>
      <textarea id="note" rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      <Checkboxes legend="Nouveaux signes observés" labels={INDICATOR_LABELS} value={indicators} onChange={setIndicators} name="update-indicators" />
      {teamConcern && (
        <fieldset>
          <legend>Inquiétude de l’équipe</legend>
          {(
            [
              ['same', 'Inchangée'],
              ['yes', 'L’équipe est inquiète'],
              ['no', 'L’équipe n’est pas inquiète'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="check">
              <input type="radio" name="update-concern" checked={worrying === value} onChange={() => setWorrying(value)} /> {label}
            </label>
          ))}
        </fieldset>
      )}
      <ConnectionsFields
        idPrefix="information"
        value={connections.rows}
        onChange={connections.setRows}
        youths={YOUTH_READERS.includes(role) ? youths : []}
        onCompanionAdded={() => setCompanionsWanted(true)}
        problems={connections.problems}
      />
      <SubmitError error={error} problems={connections.problems} labels={UPDATE_FIELDS} />
      <button type="submit" className="primary" disabled={busy}>
        Enregistrer
      </button>
    </form>
  );
}

function LocatedForm({ fugue, timeZone, done }: { fugue: Fugue; timeZone: string; done: () => void }) {
  const [when, setWhen] = useState(() => toLocalInput(new Date().toISOString(), timeZone));
  const [place, setPlace] = useState('');
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(
      () => must(api.POST('/v1/fugues/{id}/located', { params: { path: { id: fugue.id } }, body: { at: fromLocalInput(when, timeZone) ?? '', ...(place.trim() ? { place: place.trim() } : {}) } })),
      done,
    );
  };
  return (
    <form onSubmit={submit} className="panel" aria-label="Jeune localisé">
      <p className="hint">Localisé(e) : on sait où se trouve le jeune, mais il n’est pas encore revenu.</p>
      <label htmlFor="locatedAt">Localisé(e) le</label>
      <input id="locatedAt" type="datetime-local" required value={when} onChange={(e) => setWhen(e.target.value)} />
      <label htmlFor="locatedPlace">Où</label>
      <input id="locatedPlace" maxLength={2000} value={place} onChange={(e) => setPlace(e.target.value)} />
      {error !== null && <ErrorBox error={error} />}
      <button type="submit" className="primary" disabled={busy}>
        Enregistrer
      </button>
    </form>
  );
}

function ReturnForm({ fugue, timeZone, done }: { fugue: Fugue; timeZone: string; done: () => void }) {
  const [when, setWhen] = useState(() => toLocalInput(new Date().toISOString(), timeZone));
  const [foundBy, setFoundBy] = useState<FoundBy>('self');
  const [place, setPlace] = useState('');
  const [condition, setCondition] = useState({ injured: false, intoxicated: false, needsMedicalCare: false });
  const key = useMemo(newIdempotencyKey, []);
  const { busy, error, run } = useAction();
  const connections = useConnectionsForm(timeZone);
  const [companionsWanted, setCompanionsWanted] = useState(false);
  const youths = useFoyerYouths(fugue.foyerId, fugue.youthId, companionsWanted);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const told = connections.build();
    void run(
      () =>
        must(
          api.POST('/v1/fugues/{id}/return', {
            params: { path: { id: fugue.id } },
            headers: { 'Idempotency-Key': key },
            body: { returnedAt: fromLocalInput(when, timeZone) ?? '', foundBy, ...(place.trim() ? { place: place.trim() } : {}), condition, ...(told ? { connections: told } : {}) },
          }),
        ),
      done,
      connections.refused,
    );
  };
  return (
    <form onSubmit={submit} className="panel" aria-label="Déclarer le retour">
      <label htmlFor="returnedAt">Revenu(e) le</label>
      <input id="returnedAt" type="datetime-local" required value={when} onChange={(e) => setWhen(e.target.value)} />
      <fieldset>
        <legend>Retrouvé(e) par</legend>
        {(Object.keys(FOUND_BY_LABELS) as FoundBy[]).map((code) => (
          <label key={code} className="check">
            <input type="radio" name="foundBy" checked={foundBy === code} onChange={() => setFoundBy(code)} /> {FOUND_BY_LABELS[code]}
          </label>
        ))}
      </fieldset>
      <label htmlFor="returnPlace">Où a-t-il (elle) été retrouvé(e) ?</label>
      <input id="returnPlace" maxLength={2000} value={place} onChange={(e) => setPlace(e.target.value)} />
      <fieldset>
        <legend>État au retour</legend>
        {(
          [
            ['injured', 'Blessé(e)'],
            ['intoxicated', 'Sous l’effet de produits'],
            ['needsMedicalCare', 'A besoin de soins médicaux'],
          ] as const
        ).map(([k, label]) => (
          <label key={k} className="check">
            <input type="checkbox" checked={condition[k]} onChange={(e) => setCondition((c) => ({ ...c, [k]: e.target.checked }))} /> {label}
          </label>
        ))}
      </fieldset>
      <ConnectionsFields
        idPrefix="retour"
        value={connections.rows}
        onChange={connections.setRows}
        youths={youths}
        onCompanionAdded={() => setCompanionsWanted(true)}
        problems={connections.problems}
        intro={<p className="hint">Avec qui, dans quel véhicule, dans quels lieux : ce que l’on sait déjà au retour.</p>}
      />
      <p className="hint">Le retour programme l’entretien de retour, à mener dans les 72 heures.</p>
      <SubmitError error={error} problems={connections.problems} labels={RETURN_FIELDS} />
      <button type="submit" className="primary" disabled={busy}>
        Déclarer le retour
      </button>
    </form>
  );
}

function CloseOrCancel({ fugue, kind, done }: { fugue: Fugue; kind: 'close' | 'cancel'; done: () => void }) {
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const path = kind === 'close' ? '/v1/fugues/{id}/close' : '/v1/fugues/{id}/cancel';
    void run(() => must(api.POST(path, { params: { path: { id: fugue.id } }, body: { reason: reason.trim() } })), done);
  };
  return (
    <form onSubmit={submit} className="panel" aria-label={kind === 'close' ? 'Clore l’épisode' : 'Annuler l’épisode'}>
      <h2>{kind === 'close' ? 'Clore l’épisode' : 'Annuler la déclaration'}</h2>
      <label htmlFor={`${kind}-reason`}>{kind === 'close' ? 'Motif de clôture' : 'Pourquoi cette déclaration était une erreur'} *</label>
      <textarea id={`${kind}-reason`} rows={2} required maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
      {error !== null && <ErrorBox error={error} />}
      <button type="submit" disabled={busy || !reason.trim()}>
        {kind === 'close' ? 'Clore l’épisode' : 'Annuler la déclaration'}
      </button>
    </form>
  );
}
