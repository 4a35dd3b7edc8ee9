import { useRef, useState, type FormEvent } from 'react';
import { api, must, RequestFailed, type Schemas } from '../../api/client';
import { formatDateTime } from '../../format';
import { REFERENT_ROLE_TITLES } from '../../labels';
import { ErrorBox, Show, useLoad, useScreenTitle } from '../../ui/common';
import { DepartmentPicker } from './DepartmentPicker';
import { FieldError } from './forms';
import {
  bodyOf,
  delayWords,
  draftCoverage,
  draftOf,
  errorId,
  fieldId,
  frenchProblem,
  problemsByField,
  problemsOf,
  REFERENT_ROLE_LIST,
  type PolicyDraft,
  type PolicyProblem,
  type PolicyRole,
  type PolicyShape,
} from './policy-draft';
import { TIME_ZONE, useAdminFoyers } from './useAdminFoyers';

type PolicyInForce = Schemas['PolicyInForceResponse'];
type Referent = Schemas['ReferentResponse'];

const GROUPS: { key: 'routine' | 'disclosure' | 'overdueInterview'; legend: string }[] = [
  { key: 'routine', legend: 'Fugue courante : qui informer' },
  { key: 'disclosure', legend: 'Révélation lors d’un entretien de retour : qui informer' },
  { key: 'overdueInterview', legend: 'Entretien de retour en retard : qui relancer' },
];

/** The escalation policy of a département (admin): its steps as a timeline, checked with the API's own rules. */
export function PolicyScreen() {
  useScreenTitle('Politique d’escalade');
  const [departmentCode, setDepartmentCode] = useState('');
  const [loaded, reload] = useLoad(
    async () => {
      if (!departmentCode) return null;
      const [inForce, referents] = await Promise.all([
        must(api.GET('/v1/departments/{code}/escalation-policy', { params: { path: { code: departmentCode } } })),
        must(api.GET('/v1/referents', { params: { query: { departmentCode, limit: 200 } } })),
      ]);
      return { inForce, referents: referents.items };
    },
    [departmentCode],
  );
  return (
    <>
      <h1>Politique d’escalade</h1>
      <p className="hint">Qui une fugue préoccupante alerte, et au bout de combien de temps sans prise en compte.</p>
      <DepartmentPicker id="politique-departement" value={departmentCode} onChange={setDepartmentCode} />
      {departmentCode && (
        <Show loaded={loaded} retry={reload}>
          {(data) => data && <Editor key={departmentCode} departmentCode={departmentCode} inForce={data.inForce} referents={data.referents} />}
        </Show>
      )}
    </>
  );
}

function Editor({ departmentCode, inForce: initial, referents }: { departmentCode: string; inForce: PolicyInForce; referents: Referent[] }) {
  const [inForce, setInForce] = useState(initial);
  const [draft, setDraft] = useState<PolicyDraft>(() => draftOf(initial.policy as PolicyShape));
  const [checked, setChecked] = useState(false);
  const [apiProblems, setApiProblems] = useState<PolicyProblem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const summary = useRef<HTMLDivElement>(null);
  const allFoyers = useAdminFoyers();
  const foyers = (allFoyers ?? []).filter((f) => f.departmentCode === departmentCode);

  const localProblems = checked ? problemsOf(draft) : [];
  const problems = apiProblems ?? localProblems;
  const byField = problemsByField(problems);
  const dirty = JSON.stringify(bodyOf(draft)) !== JSON.stringify(bodyOf(draftOf(inForce.policy as PolicyShape)));
  const cover = dirty ? draftCoverage(draft, referents, foyers) : { uncoveredRoles: inForce.uncoveredRoles, foyersWithoutDuty: inForce.foyersWithoutDuty };

  const change = (next: PolicyDraft) => {
    setDraft(next);
    setApiProblems(null);
    setStatus('');
  };
  const setStep = (i: number, patch: Partial<PolicyDraft['steps'][number]>) => change({ ...draft, steps: draft.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    setApiProblems(null);
    setError(null);
    const found = problemsOf(draft);
    if (found.length > 0) {
      setTimeout(() => summary.current?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      const saved = await must(api.PUT('/v1/departments/{code}/escalation-policy', { params: { path: { code: departmentCode } }, body: bodyOf(draft) as Schemas['EscalationPolicyDto'] }));
      setInForce(saved);
      setDraft(draftOf(saved.policy as PolicyShape));
      setChecked(false);
      setStatus('La politique a été enregistrée. Les alertes déjà ouvertes gardent celle avec laquelle elles ont commencé.');
    } catch (e) {
      if (e instanceof RequestFailed && e.status === 400 && e.body?.details?.length) {
        setApiProblems(e.body.details);
        setTimeout(() => summary.current?.focus(), 0);
      } else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const roleBoxes = (field: string, value: PolicyRole[], onChange: (next: PolicyRole[]) => void, legend: string) => (
    <fieldset id={fieldId(field)} aria-describedby={byField[field] ? errorId(field) : undefined} aria-invalid={byField[field] ? true : undefined}>
      <legend>{legend}</legend>
      <FieldError id={errorId(field)} error={byField[field]?.join(' ')} />
      {REFERENT_ROLE_LIST.map((role) => (
        <label key={role} className="check">
          <input type="checkbox" name={field} value={role} checked={value.includes(role)} onChange={(e) => onChange(e.target.checked ? REFERENT_ROLE_LIST.filter((r) => r === role || value.includes(r)) : value.filter((r) => r !== role))} />{' '}
          {REFERENT_ROLE_TITLES[role]}
          {cover.uncoveredRoles.includes(role) && <span className="uncovered"> (aucun référent)</span>}
        </label>
      ))}
    </fieldset>
  );

  const delayField = (field: string, label: string, value: string, onChange: (v: string) => void, hint: string) => (
    <>
      <label htmlFor={fieldId(field)}>{label}</label>
      <input
        id={fieldId(field)}
        inputMode="decimal"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={[`${fieldId(field)}-aide`, byField[field] ? errorId(field) : ''].filter(Boolean).join(' ')}
        aria-invalid={byField[field] ? true : undefined}
      />
      <p className="hint" id={`${fieldId(field)}-aide`}>
        {hint}
      </p>
      <FieldError id={errorId(field)} error={byField[field]?.join(' ')} />
    </>
  );

  return (
    <form onSubmit={save} aria-labelledby="titre-etapes" noValidate>
      <p className="notice">
        {inForce.isDefault
          ? 'Ce département n’a pas de politique propre : la politique par défaut s’applique.'
          : `Politique propre au département, enregistrée le ${inForce.updatedAt ? formatDateTime(inForce.updatedAt, TIME_ZONE) : '—'}.`}
      </p>
      <p role="status" aria-live="polite" className="status">
        {status}
      </p>
      {problems.length > 0 && (
        <div className="error" role="alert" tabIndex={-1} ref={summary} aria-labelledby="politique-problemes-titre">
          <h2 id="politique-problemes-titre">{apiProblems ? 'Le serveur a refusé la politique' : 'La politique ne peut pas être enregistrée telle quelle'}</h2>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                <a href={`#${fieldId(p.field)}`}>{fieldName(p.field)}</a> : {frenchProblem(p.message)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {error !== null && <ErrorBox error={error} />}

      <h2 id="titre-deroule">Déroulé d’une alerte</h2>
      <Unfolding draft={draft} />

      <h2 id="titre-etapes">Fugue préoccupante : les étapes de l’alerte</h2>
      <p className="hint">Chaque étape prévient les rôles cochés, tant que personne n’a pris l’alerte en compte.</p>
      <FieldError id={errorId('worrying.steps')} error={byField['worrying.steps']?.join(' ')} />
      <ol className="timeline policy-steps" id={fieldId('worrying.steps')} aria-describedby={byField['worrying.steps'] ? errorId('worrying.steps') : undefined}>
        {draft.steps.map((step, i) => (
          <li key={i} className="policy-step">
            <h3>
              Étape {i + 1} : {delayWords(step.afterMinutes)}
            </h3>
            {delayField(`worrying.steps.${i}.afterSeconds`, `Délai de l’étape ${i + 1} (minutes après l’ouverture)`, step.afterMinutes, (v) => setStep(i, { afterMinutes: v }), '0 pour l’ouverture de l’alerte ; chaque étape plus tard que la précédente.')}
            {roleBoxes(`worrying.steps.${i}.notify`, step.notify, (notify) => setStep(i, { notify }), `Prévenir à l’étape ${i + 1}`)}
            {draft.steps.length > 1 && (
              <button type="button" onClick={() => change({ ...draft, steps: draft.steps.filter((_, j) => j !== i) })}>
                Retirer l’étape {i + 1}
              </button>
            )}
          </li>
        ))}
      </ol>
      {draft.steps.length < 20 && (
        <button
          type="button"
          onClick={() => {
            const last = Number((draft.steps[draft.steps.length - 1]?.afterMinutes ?? '-15').replace(',', '.'));
            change({ ...draft, steps: [...draft.steps, { afterMinutes: String(Number.isFinite(last) ? last + 15 : ''), notify: [] }] });
          }}
        >
          Ajouter une étape
        </button>
      )}
      <fieldset>
        <legend>Après la dernière étape</legend>
        {delayField('worrying.repeatLastStepEverySeconds', 'Répéter la dernière étape toutes les (minutes)', draft.repeatEveryMinutes, (v) => change({ ...draft, repeatEveryMinutes: v }), 'Vide : ne jamais répéter.')}
        {delayField('worrying.maxRepeats', 'Nombre de répétitions au plus', draft.maxRepeats, (v) => change({ ...draft, maxRepeats: v }), 'De 0 à 100.')}
      </fieldset>

      <h2>Autres messages</h2>
      {GROUPS.map((g) => (
        <div key={g.key}>{roleBoxes(`${g.key}.notify`, draft[g.key], (next) => change({ ...draft, [g.key]: next }), g.legend)}</div>
      ))}

      <section aria-labelledby="titre-couverture">
        <h2 id="titre-couverture">Qui la politique ne peut pas prévenir {dirty ? '(avec les modifications non enregistrées)' : ''}</h2>
        <h3>Rôles sans référent dans le département</h3>
        {cover.uncoveredRoles.length === 0 ? (
          <p>Chaque rôle de la politique a au moins un référent joignable.</p>
        ) : (
          <ul id="roles-sans-referent">
            {cover.uncoveredRoles.map((r) => (
              <li key={r} data-role={r}>
                {REFERENT_ROLE_TITLES[r as PolicyRole]}
              </li>
            ))}
          </ul>
        )}
        <h3>Foyers sans astreinte</h3>
        {cover.foyersWithoutDuty.length === 0 ? (
          <p>Aucun : chaque foyer ouvert a un référent d’astreinte, ou la politique ne prévient pas l’astreinte des foyers.</p>
        ) : (
          <ul id="foyers-sans-astreinte">
            {cover.foyersWithoutDuty.map((id) => (
              <li key={id} data-foyer={id}>
                {foyers.find((f) => f.id === id)?.name ?? id}
              </li>
            ))}
          </ul>
        )}
      </section>

      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Enregistrement…' : 'Enregistrer la politique'}
        </button>
      </div>
    </form>
  );
}

/** The draft's steps at a glance, in time order: when, and whom; then its repeats. */
function Unfolding({ draft }: { draft: PolicyDraft }) {
  const roles = (notify: PolicyRole[]) => (notify.length ? notify.map((r) => REFERENT_ROLE_TITLES[r]).join(', ') : 'personne (cochez au moins un rôle)');
  const last = draft.steps[draft.steps.length - 1];
  const repeats = draft.repeatEveryMinutes.trim() !== '' && draft.maxRepeats.trim() !== '0' && last;
  return (
    <ol className="unfolding" aria-labelledby="titre-deroule" id="deroule">
      {draft.steps.map((step, i) => (
        <li key={i} data-step={i}>
          <span className="when">{delayWords(step.afterMinutes)}</span> <span className="who">{roles(step.notify)}</span>
        </li>
      ))}
      {repeats && (
        <li className="repeat">
          <span className="when">
            puis toutes les {draft.repeatEveryMinutes.trim()} min, {draft.maxRepeats.trim()} fois au plus
          </span>{' '}
          <span className="who">{roles(last.notify)}</span>
        </li>
      )}
      <li className="end">
        <span className="when">jusqu’à la prise en compte de l’alerte</span>
      </li>
    </ol>
  );
}

/** A policy field in words, for the list of problems. */
function fieldName(field: string): string {
  const step = /^worrying\.steps\.(\d+)\.(afterSeconds|notify)/.exec(field);
  if (step) return `Étape ${Number(step[1]) + 1}, ${step[2] === 'afterSeconds' ? 'délai' : 'rôles à prévenir'}`;
  if (field === 'worrying.steps') return 'Étapes';
  if (field === 'worrying.repeatLastStepEverySeconds') return 'Répétition';
  if (field === 'worrying.maxRepeats') return 'Nombre de répétitions';
  const group = GROUPS.find((g) => field.startsWith(g.key));
  return group ? group.legend : field;
}
