import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, must, newIdempotencyKey, type Classification, type Fugue, type Schemas, type TimelineEntry, type Youth } from '../api/client';
import { formatDateTime, fromLocalInput, toLocalInput } from '../format';
import { DEPARTED_WITH_LABELS, INDICATOR_LABELS, offered, ROLE_LABELS } from '../labels';
import { Link } from '../router';
import { foyerDepartment, useSession, useTimeZone } from '../session';
import { ClassificationView } from '../ui/classification';
import { Checkboxes, ErrorBox, Loading, Show, useLoad, useScreenTitle } from '../ui/common';
import { ConnectionsFields, SubmitError, useConnectionsForm, useFoyerYouths } from '../ui/connections';

type Indicator = keyof typeof INDICATOR_LABELS;
type DepartedWith = keyof typeof DEPARTED_WITH_LABELS;
type Episode = Schemas['PreviewEpisodeDto'];
type Declaration = Schemas['FugueSummaryResponse'];

/** The declaration's fields as the API names them in a refusal. */
const DECLARATION_FIELDS: Record<string, string> = {
  noticedMissingAt: 'Absence constatée le',
  lastSeenAt: 'Vu(e) pour la dernière fois le',
  lastSeenPlace: 'Vu(e) pour la dernière fois à',
  clothing: 'Tenue',
};

/** Declaring a fugue from the profile: the episode's facts only, the profile gives the rest. */
export function DeclareFugue({ youthId }: { youthId: string }) {
  useScreenTitle('Déclarer une fugue');
  const [loaded, reload] = useLoad(() => must(api.GET('/v1/youths/{id}', { params: { path: { id: youthId } } })), [youthId]);
  const [declared, setDeclared] = useState<Declaration | null>(null);
  return (
    <Show loaded={loaded} retry={reload}>
      {(youth) => (declared ? <Declared youth={youth} fugue={declared} /> : <DeclareForm youth={youth} onDeclared={setDeclared} />)}
    </Show>
  );
}

function DeclareForm({ youth, onDeclared }: { youth: Youth; onDeclared: (fugue: Declaration) => void }) {
  const session = useSession();
  const departmentCode = foyerDepartment(session, youth.foyerId) ?? '75';
  const timeZone = useTimeZone(departmentCode);
  const [noticed, setNoticed] = useState(() => toLocalInput(new Date().toISOString(), timeZone));
  const [lastSeen, setLastSeen] = useState('');
  const [lastSeenPlace, setLastSeenPlace] = useState('');
  const [clothing, setClothing] = useState('');
  const [departedWith, setDepartedWith] = useState<DepartedWith | ''>('');
  const [belongings, setBelongings] = useState({ phone: false, money: false, idDocument: false });
  const [indicators, setIndicators] = useState<Indicator[]>([]);
  const [worrying, setWorrying] = useState<boolean | null>(null);
  const [concernNote, setConcernNote] = useState('');
  const [preview, setPreview] = useState<Classification | null>(null);
  const [previewFailed, setPreviewFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const connections = useConnectionsForm(timeZone);
  const [companionsWanted, setCompanionsWanted] = useState(false);
  const youths = useFoyerYouths(youth.foyerId, youth.id, companionsWanted);
  // One key per form: a double tap, or a retry after a lost answer, never declares twice.
  const idempotencyKey = useMemo(newIdempotencyKey, []);

  const episode: Episode = {
    noticedMissingAt: fromLocalInput(noticed, timeZone) ?? new Date().toISOString(),
    ...(fromLocalInput(lastSeen, timeZone) ? { lastSeenAt: fromLocalInput(lastSeen, timeZone) as string } : {}),
    ...(departedWith ? { departedWith } : {}),
    belongings,
    indicators,
    ...(worrying !== null ? { staffConcern: { worrying, ...(concernNote.trim() ? { note: concernNote.trim() } : {}) } } : {}),
  };
  const previewKey = JSON.stringify({ ...episode, staffConcern: episode.staffConcern ? { worrying: episode.staffConcern.worrying } : undefined });

  // The triage preview follows the facts as they are ticked (nothing is stored).
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!youth.birthDate) return;
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      const { staffConcern, ...rest } = JSON.parse(previewKey) as Episode;
      must(
        api.POST('/v1/triage/preview', {
          body: {
            youth: { birthDate: youth.birthDate as string, vulnerabilities: youth.vulnerabilities as never, medical: { vitalTreatment: youth.medical.vitalTreatment } },
            departmentCode,
            episode: { ...rest, ...(staffConcern ? { staffConcern } : {}) },
          },
        }),
      ).then(
        (c) => {
          setPreview(c);
          setPreviewFailed(false);
        },
        () => setPreviewFailed(true),
      );
    }, 250);
    return () => window.clearTimeout(timer.current);
  }, [previewKey, youth, departmentCode]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const optional = (value: string) => (value.trim() ? value.trim() : undefined);
    const told = connections.build();
    try {
      const created = await must(
        api.POST('/v1/fugues', {
          body: { youthId: youth.id, ...episode, lastSeenPlace: optional(lastSeenPlace), clothing: optional(clothing), ...(told ? { connections: told } : {}) },
          headers: { 'Idempotency-Key': idempotencyKey },
        }),
      );
      onDeclared(created);
    } catch (e) {
      setError(e);
      connections.refused(e);
      setBusy(false);
    }
  };

  const name = `${youth.firstName ?? ''} ${youth.lastName ?? ''}`.trim();
  return (
    <form onSubmit={submit} aria-labelledby="titre-declaration" className="declare">
      <h1 id="titre-declaration">Déclarer la fugue de {name}</h1>
      <p className="hint">Le profil du jeune (âge, santé, vulnérabilités) est déjà pris en compte. Indiquez seulement ce que vous savez de ce départ.</p>
      <label htmlFor="noticed">Absence constatée le *</label>
      <input id="noticed" type="datetime-local" required value={noticed} onChange={(e) => setNoticed(e.target.value)} />
      <label htmlFor="lastSeen">Vu(e) pour la dernière fois le</label>
      <input id="lastSeen" type="datetime-local" value={lastSeen} max={noticed} onChange={(e) => setLastSeen(e.target.value)} />
      <label htmlFor="lastSeenPlace">Vu(e) pour la dernière fois à (lieu)</label>
      <input id="lastSeenPlace" value={lastSeenPlace} maxLength={2000} onChange={(e) => setLastSeenPlace(e.target.value)} />
      <label htmlFor="clothing">Tenue au moment du départ</label>
      <input id="clothing" value={clothing} maxLength={2000} onChange={(e) => setClothing(e.target.value)} />
      <fieldset>
        <legend>Parti(e)</legend>
        {(Object.keys(DEPARTED_WITH_LABELS) as DepartedWith[]).map((code) => (
          <label key={code} className="check">
            <input type="radio" name="departedWith" value={code} checked={departedWith === code} onChange={() => setDepartedWith(code)} /> {DEPARTED_WITH_LABELS[code]}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>A emporté</legend>
        {(
          [
            ['phone', 'Son téléphone'],
            ['money', 'De l’argent'],
            ['idDocument', 'Une pièce d’identité'],
          ] as const
        ).map(([key, label]) => (
          <label key={key} className="check">
            <input type="checkbox" checked={belongings[key]} onChange={(e) => setBelongings((b) => ({ ...b, [key]: e.target.checked }))} /> {label}
          </label>
        ))}
      </fieldset>
      <Checkboxes legend="Signes observés" labels={offered(session.vocabularies.indicators, INDICATOR_LABELS)} value={indicators} onChange={setIndicators} name="indicators" />
      <fieldset>
        <legend>L’équipe est-elle inquiète ?</legend>
        <label className="check">
          <input type="radio" name="concern" checked={worrying === true} onChange={() => setWorrying(true)} /> Oui, l’équipe est inquiète
        </label>
        <label className="check">
          <input type="radio" name="concern" checked={worrying === false} onChange={() => setWorrying(false)} /> Non, pas d’inquiétude particulière
        </label>
        {worrying && (
          <>
            <label htmlFor="concernNote">Pourquoi ? (facultatif)</label>
            <textarea id="concernNote" rows={2} maxLength={2000} value={concernNote} onChange={(e) => setConcernNote(e.target.value)} />
          </>
        )}
      </fieldset>
      <ConnectionsFields
        idPrefix="declaration"
        value={connections.rows}
        onChange={connections.setRows}
        youths={youths}
        onCompanionAdded={() => setCompanionsWanted(true)}
        problems={connections.problems}
        intro={<h2>Avec qui, comment, où</h2>}
      />
      <section aria-live="polite" aria-labelledby="titre-apercu" className="preview">
        <h2 id="titre-apercu">Niveau prévisible</h2>
        {preview ? <ClassificationView classification={preview} heading="Avec ces informations, la fugue serait" /> : previewFailed ? <p>L’aperçu n’est pas disponible ; la déclaration reste possible.</p> : <Loading what="Calcul de l’aperçu…" />}
      </section>
      <SubmitError error={error} problems={connections.problems} labels={DECLARATION_FIELDS} />
      <div className="actions sticky">
        <button type="submit" className="primary big" disabled={busy}>
          {busy ? 'Déclaration en cours…' : 'Déclarer la fugue'}
        </button>
        <Link href={`/youths/${youth.id}`}>Annuler</Link>
      </div>
    </form>
  );
}

/** After declaring: the triage result (it runs in the background) and who is being alerted. */
function Declared({ youth, fugue }: { youth: Youth; fugue: Declaration }) {
  const timeZone = useTimeZone(fugue.departmentCode);
  const [current, setCurrent] = useState<{ fugue: Fugue; timeline: TimelineEntry[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    let tries = 0;
    const poll = async () => {
      try {
        const [read, timeline] = await Promise.all([
          must(api.GET('/v1/fugues/{id}', { params: { path: { id: fugue.id } } })),
          must(api.GET('/v1/fugues/{id}/timeline', { params: { path: { id: fugue.id } } })),
        ]);
        if (!live) return;
        setCurrent({ fugue: read, timeline: timeline.items });
        const alerted = timeline.items.some((e) => ['alert.step', 'routine.notified', 'notification.sent'].includes(e.type));
        if ((!read.classification || (read.effectiveLevel === 'worrying' && !alerted)) && ++tries < 15) window.setTimeout(poll, 800);
      } catch (e) {
        if (live) setError(e);
      }
    };
    void poll();
    return () => {
      live = false;
    };
  }, [fugue.id]);
  const name = `${youth.firstName ?? ''} ${youth.lastName ?? ''}`.trim();
  const classification = current?.fugue.classification;
  return (
    <section aria-labelledby="titre-declaree">
      <h1 id="titre-declaree">Fugue de {name} déclarée</h1>
      <p role="status">La déclaration est enregistrée (référence Vigie {fugue.id.slice(0, 8).toUpperCase()}), le {formatDateTime(fugue.noticedMissingAt, timeZone)}.</p>
      {error !== null && <ErrorBox error={error} />}
      <div aria-live="polite">
        {classification ? (
          <>
            <ClassificationView classification={{ level: current.fugue.effectiveLevel ?? classification.level, reasons: classification.reasons }} heading="Niveau de la fugue" />
            <h2>Qui est prévenu</h2>
            <WhoIsAlerted timeline={current.timeline} />
          </>
        ) : (
          <Loading what="Évaluation du niveau en cours…" />
        )}
      </div>
      <p className="actions">
        <Link className="button primary" href={`/episodes/${fugue.id}`}>
          Suivre la fugue
        </Link>
        <Link className="button" href={`/episodes/${fugue.id}/fiche`}>
          Fiche de signalement
        </Link>
      </p>
    </section>
  );
}

export function WhoIsAlerted({ timeline }: { timeline: TimelineEntry[] }) {
  const steps = timeline.filter((e) => e.type === 'alert.step' || e.type === 'routine.notified' || e.type === 'alert.opened');
  if (steps.length === 0) return <p>Aucune alerte n’est partie pour l’instant : la fugue est suivie par le foyer.</p>;
  return (
    <ul>
      {steps.map((e) => {
        const data = e.data as { roles?: string[]; referents?: string[]; notifications?: number; step?: number; fallbackToDepartmentDuty?: boolean };
        if (e.type === 'alert.opened') return <li key={e.id}>Une alerte est ouverte : les référents du département sont prévenus étape par étape jusqu’à ce que l’un d’eux la prenne en compte.</li>;
        const who = (data.roles ?? []).map((r) => ROLE_LABELS[r] ?? r).join(', ');
        const count = data.referents?.length ?? 0;
        if (count === 0) {
          return (
            <li key={e.id}>
              <strong>Personne n’a pu être prévenu</strong>
              {who ? ` (${who})` : ''} : aucun référent n’est inscrit pour ce département. Prévenez vous-même l’astreinte et la police par téléphone.
            </li>
          );
        }
        return (
          <li key={e.id}>
            {e.type === 'routine.notified' ? 'Information envoyée' : `Étape ${typeof data.step === 'number' ? data.step + 1 : ''} de l’alerte`} : {count} référent{count > 1 ? 's' : ''} prévenu{count > 1 ? 's' : ''}
            {who ? ` (${who})` : ''}
            {data.fallbackToDepartmentDuty ? ', par l’astreinte départementale faute de référent de ce rôle' : ''}.
          </li>
        );
      })}
    </ul>
  );
}
