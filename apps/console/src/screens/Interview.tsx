import { useState, type FormEvent } from 'react';
import { api, must, type Fugue, type Interview, type Schemas } from '../api/client';
import { countdown, formatDateTime, fromLocalInput, toLocalInput } from '../format';
import { EXPLOITATION_LABELS, INTERVIEW_STATUS_LABELS, PULL_FACTOR_LABELS, PUSH_FACTOR_LABELS, REFERRAL_LABELS } from '../labels';
import { Link } from '../router';
import { useTimeZone } from '../session';
import { Checkboxes, Show, useLoad, useScreenTitle } from '../ui/common';
import { ConnectionsFields, SubmitError, useConnectionsForm, useFoyerYouths } from '../ui/connections';

type Body = Schemas['RecordInterviewDto'];
type Outcome = Body['outcome'];
type Push = keyof typeof PUSH_FACTOR_LABELS;
type Pull = keyof typeof PULL_FACTOR_LABELS;
type Exploitation = keyof typeof EXPLOITATION_LABELS;
type Referral = keyof typeof REFERRAL_LABELS;

/** The interview's fields as the API names them in a refusal. */
const INTERVIEW_FIELDS: Record<string, string> = { conductedAt: 'Mené le', conductedBy: 'Mené par', interviewerIndependent: 'Personne extérieure', reason: 'Raison' };

/** The return interview of an episode: due date, countdown, and the guided form. */
export function InterviewScreen({ fugueId }: { fugueId: string }) {
  useScreenTitle('Entretien de retour');
  const [loaded, reload] = useLoad(async () => {
    const [fugue, list] = await Promise.all([
      must(api.GET('/v1/fugues/{id}', { params: { path: { id: fugueId } } })),
      must(api.GET('/v1/return-interviews', { params: { query: { fugueId } } })),
    ]);
    const first = list.items[0];
    return { fugue, interview: first ? await must(api.GET('/v1/return-interviews/{id}', { params: { path: { id: first.id } } })) : null };
  }, [fugueId]);
  return (
    <Show loaded={loaded} retry={reload}>
      {({ fugue, interview }) =>
        interview ? (
          <InterviewForm fugue={fugue} interview={interview} done={reload} />
        ) : (
          <>
            <h1>Entretien de retour</h1>
            <p>Aucun entretien n’est prévu : il l’est quand le retour du jeune est déclaré.</p>
            <Link href={`/episodes/${fugueId}`}>Revenir à la fugue</Link>
          </>
        )
      }
    </Show>
  );
}

function InterviewForm({ fugue, interview, done }: { fugue: Fugue; interview: Interview; done: () => void }) {
  const timeZone = useTimeZone(fugue.departmentCode);
  const at = (iso: string) => formatDateTime(iso, timeZone);
  const name = `${fugue.youth?.firstName ?? ''} ${fugue.youth?.lastName ?? ''}`.trim();
  const [outcome, setOutcome] = useState<Outcome>('completed');
  const [conductedAt, setConductedAt] = useState(() => toLocalInput(new Date().toISOString(), timeZone));
  const [conductedBy, setConductedBy] = useState('');
  const [independent, setIndependent] = useState<boolean | null>(null);
  const [texts, setTexts] = useState({ whereabouts: '', companions: '', transport: '', resources: '', healthNeeds: '', youthWishes: '', reason: '' });
  const [push, setPush] = useState<Push[]>([]);
  const [pull, setPull] = useState<Pull[]>([]);
  const [exploitation, setExploitation] = useState<Exploitation[]>([]);
  const [disclosures, setDisclosures] = useState({ sexualExploitation: false, violence: false, sexualViolence: false });
  const [substanceUse, setSubstanceUse] = useState(false);
  const [safetyAdvice, setSafetyAdvice] = useState(false);
  const [referrals, setReferrals] = useState<Referral[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const connections = useConnectionsForm(timeZone);
  const [companionsWanted, setCompanionsWanted] = useState(false);
  const youths = useFoyerYouths(fugue.foyerId, fugue.youthId, companionsWanted);
  const text = (key: keyof typeof texts, label: string, hint?: string) => (
    <>
      <label htmlFor={key}>{label}</label>
      <textarea id={key} rows={2} maxLength={2000} value={texts[key]} onChange={(e) => setTexts((t) => ({ ...t, [key]: e.target.value }))} aria-describedby={hint ? `${key}-aide` : undefined} />
      {hint && (
        <p className="hint" id={`${key}-aide`}>
          {hint}
        </p>
      )}
    </>
  );

  if (interview.status !== 'scheduled') {
    return (
      <section aria-labelledby="titre-entretien">
        <h1 id="titre-entretien">Entretien de retour de {name}</h1>
        <p>
          {INTERVIEW_STATUS_LABELS[interview.status]}
          {interview.recordedAt ? `, enregistré le ${at(interview.recordedAt)}` : ''}.
        </p>
        {interview.referrals.length > 0 && <p>Suites décidées : {interview.referrals.map((r) => REFERRAL_LABELS[r as Referral] ?? r).join(', ')}.</p>}
        <Link href={`/episodes/${fugue.id}`}>Revenir à la fugue</Link>
      </section>
    );
  }

  const disclosed = disclosures.sexualExploitation || disclosures.violence || disclosures.sexualViolence;
  const consequences: string[] = [];
  if (disclosed) {
    consequences.push('Une révélation d’exploitation ou de violences déclenche un signalement au procureur de la République (ajouté aux suites) et prévient aussitôt les référents désignés pour les révélations.');
  }
  if (exploitation.length > 0) consequences.push('Les signes d’exploitation relevés préviennent les référents désignés pour les révélations et rendront les prochaines fugues de ce jeune plus préoccupantes.');
  if (referrals.length > 0) consequences.push(`Suites enregistrées : ${referrals.map((r) => REFERRAL_LABELS[r]).join(', ')}.`);
  if (outcome !== 'completed') consequences.push('L’entretien sera noté comme non mené ; il ne pourra plus être modifié.');
  if (outcome === 'completed') consequences.push('Une fois enregistré, l’entretien ne peut plus être modifié.');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const optional = (value: string) => (value.trim() ? value.trim() : undefined);
    const told = outcome === 'completed' ? connections.build() : undefined;
    const body: Body =
      outcome === 'completed'
        ? {
            outcome,
            conductedAt: fromLocalInput(conductedAt, timeZone) ?? undefined,
            conductedBy: conductedBy.trim(),
            interviewerIndependent: independent ?? false,
            whereabouts: optional(texts.whereabouts),
            companions: optional(texts.companions),
            transport: optional(texts.transport),
            resources: optional(texts.resources),
            pushFactors: push,
            pullFactors: pull,
            exploitationIndicators: exploitation,
            disclosures,
            substanceUse,
            healthNeeds: optional(texts.healthNeeds),
            youthWishes: optional(texts.youthWishes),
            safetyAdviceGiven: safetyAdvice,
            referrals,
            ...(told ? { connections: told } : {}),
          }
        : { outcome, reason: optional(texts.reason), referrals };
    try {
      await must(api.PUT('/v1/return-interviews/{id}', { params: { path: { id: interview.id } }, body }));
      done();
    } catch (e) {
      setError(e);
      connections.refused(e);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-labelledby="titre-entretien">
      <h1 id="titre-entretien">Entretien de retour de {name}</h1>
      <p className={`notice ${interview.overdue ? 'worrying-border' : ''}`}>
        À mener avant le <strong>{at(interview.dueAt)}</strong> ({countdown(interview.dueAt)}). Retour le {at(interview.returnedAt)}.
      </p>
      <fieldset>
        <legend>L’entretien a-t-il eu lieu ?</legend>
        {(
          [
            ['completed', 'Oui, il a eu lieu'],
            ['declined', 'Le jeune l’a refusé'],
            ['not_held', 'Il n’a pas pu se tenir'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="check">
            <input type="radio" name="outcome" checked={outcome === value} onChange={() => setOutcome(value)} /> {label}
          </label>
        ))}
      </fieldset>
      {outcome === 'completed' ? (
        <>
          <fieldset>
            <legend>L’entretien</legend>
            <label htmlFor="conductedAt">Mené le *</label>
            <input id="conductedAt" type="datetime-local" required value={conductedAt} onChange={(e) => setConductedAt(e.target.value)} />
            <label htmlFor="conductedBy">Mené par *</label>
            <input id="conductedBy" required maxLength={200} value={conductedBy} onChange={(e) => setConductedBy(e.target.value)} />
            <fieldset className="inline">
              <legend>La personne qui l’a mené est-elle extérieure à l’accompagnement quotidien du jeune ? *</legend>
              <label className="check">
                <input type="radio" name="independent" required checked={independent === true} onChange={() => setIndependent(true)} /> Oui
              </label>
              <label className="check">
                <input type="radio" name="independent" checked={independent === false} onChange={() => setIndependent(false)} /> Non
              </label>
            </fieldset>
          </fieldset>
          <fieldset>
            <legend>Pendant la fugue</legend>
            {text('whereabouts', 'Où était le jeune ?')}
            {text('companions', 'Avec qui ?')}
            {text('transport', 'Comment s’est-il déplacé ?')}
            {text('resources', 'Comment s’est-il procuré argent, nourriture, hébergement ?')}
          </fieldset>
          <ConnectionsFields
            idPrefix="entretien"
            value={connections.rows}
            onChange={connections.setRows}
            youths={youths}
            onCompanionAdded={() => setCompanionsWanted(true)}
            problems={connections.problems}
            intro={<p className="hint">Les compagnons, véhicules et lieux nommés pendant l’entretien : Vigie les rapproche des autres fugues.</p>}
          />
          <Checkboxes legend="Pourquoi est-il parti ?" labels={PUSH_FACTOR_LABELS} value={push} onChange={setPush} name="push" />
          <Checkboxes legend="Qu’est-ce qui l’a attiré dehors ?" labels={PULL_FACTOR_LABELS} value={pull} onChange={setPull} name="pull" />
          <Checkboxes legend="Signes d’exploitation relevés" labels={EXPLOITATION_LABELS} value={exploitation} onChange={setExploitation} name="exploitation" />
          <fieldset>
            <legend>Révélations du jeune</legend>
            <p className="hint">Une révélation d’exploitation déclenche un signalement au procureur.</p>
            {(
              [
                ['sexualExploitation', 'Exploitation sexuelle'],
                ['violence', 'Violences subies'],
                ['sexualViolence', 'Violences sexuelles'],
              ] as const
            ).map(([key, label]) => (
              <label key={key} className="check">
                <input type="checkbox" checked={disclosures[key]} onChange={(e) => setDisclosures((d) => ({ ...d, [key]: e.target.checked }))} /> {label}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Santé et suite</legend>
            <label className="check">
              <input type="checkbox" checked={substanceUse} onChange={(e) => setSubstanceUse(e.target.checked)} /> Consommation de produits pendant la fugue
            </label>
            {text('healthNeeds', 'Besoins de santé')}
            {text('youthWishes', 'Ce que souhaite le jeune')}
            <label className="check">
              <input type="checkbox" checked={safetyAdvice} onChange={(e) => setSafetyAdvice(e.target.checked)} /> Des conseils de sécurité lui ont été donnés
            </label>
          </fieldset>
        </>
      ) : (
        text('reason', outcome === 'declined' ? 'Ce que le jeune a dit de son refus' : 'Pourquoi l’entretien n’a pas pu se tenir')
      )}
      <Checkboxes legend="Suites décidées" labels={REFERRAL_LABELS} value={referrals} onChange={setReferrals} name="referrals" />
      <section className="consequences" aria-labelledby="titre-consequences" aria-live="polite">
        <h2 id="titre-consequences">En enregistrant</h2>
        <ul>
          {consequences.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      </section>
      <SubmitError error={error} problems={connections.problems} labels={INTERVIEW_FIELDS} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Enregistrement…' : 'Enregistrer l’entretien'}
        </button>
        <Link href={`/episodes/${fugue.id}`}>Revenir à la fugue</Link>
      </div>
    </form>
  );
}
