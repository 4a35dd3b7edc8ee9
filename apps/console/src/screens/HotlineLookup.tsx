import { useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import { apiFieldProblems } from '../connections';
import { minutesWords } from '../format';
import { LEVEL_LABELS } from '../labels';
import { lookupAnnouncement, lookupBody, rememberedMatch, rememberMatches, type LookupForm, type LookupMatch } from '../lookup';
import { Link } from '../router';
import { useSession, useTimeZone } from '../session';
import { ErrorBox, useScreenTitle } from '../ui/common';
import { HotlineReport } from './HotlineReport';

function FieldProblem({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      Refusé : {message}
    </p>
  );
}

/** The page of the lookup (the hotline's menu). */
export function HotlineLookupScreen() {
  useScreenTitle('Rechercher une fugue');
  return (
    <section aria-labelledby="titre-recherche">
      <h1 id="titre-recherche">Rechercher une fugue</h1>
      <HotlineLookup headingLevel={2} />
    </section>
  );
}

/**
 * What a caller says of a youth — a first name, an age, a département, a place — and the open
 * episodes of the hotline's départements that match: an initial, an age, a level and how long the
 * youth has been missing, never the full identity; each with the way to pass the call on.
 */
export function HotlineLookup({ headingLevel }: { headingLevel: 2 | 3 }) {
  const session = useSession();
  const departments = session.me.departmentCodes.length ? session.departments.filter((d) => session.me.departmentCodes.includes(d.code)) : session.departments;
  const [form, setForm] = useState<LookupForm>({ firstName: '', age: '', departmentCode: '', place: '' });
  const [matches, setMatches] = useState<LookupMatch[] | null>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problems = apiFieldProblems(error);
  const Heading = headingLevel === 2 ? 'h2' : 'h3';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = lookupBody(form);
    setMissing(body === null);
    setError(null);
    if (!body) return;
    setBusy(true);
    try {
      const found = await must(api.POST('/v1/hotline/lookup', { body }));
      rememberMatches(found.items);
      setMatches(found.items);
    } catch (e) {
      setError(e);
      setMatches(null);
    } finally {
      setBusy(false);
    }
  };
  const field = (name: keyof LookupForm) => ({
    id: `recherche-${name}`,
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });
  const problemProps = (name: string, apiName: string) => {
    const message = problems?.[apiName] ?? (missing && name === 'firstName' ? 'indiquez au moins un critère' : undefined);
    return { 'aria-invalid': message ? true : undefined, 'aria-describedby': message ? `recherche-${name}-erreur` : undefined, message };
  };
  const firstName = problemProps('firstName', 'firstName');
  const age = problemProps('age', 'approximateAge');
  const department = problemProps('departmentCode', 'departmentCode');
  const place = problemProps('place', 'place');

  return (
    <div className="lookup">
      <form onSubmit={submit} className="panel" aria-label="Rechercher une fugue en cours">
        <p className="hint">Ce que dit l’appelant : au moins un critère. Le prénom est comparé sans accents ni majuscules, l’âge à deux ans près.</p>
        <label htmlFor="recherche-firstName">Prénom</label>
        <input {...field('firstName')} autoComplete="off" maxLength={100} aria-invalid={firstName['aria-invalid']} aria-describedby={firstName['aria-describedby']} />
        <FieldProblem id="recherche-firstName-erreur" message={firstName.message} />
        <label htmlFor="recherche-age">Âge approximatif</label>
        <input {...field('age')} inputMode="numeric" className="short" maxLength={2} aria-invalid={age['aria-invalid']} aria-describedby={age['aria-describedby']} />
        <FieldProblem id="recherche-age-erreur" message={age.message} />
        <label htmlFor="recherche-departmentCode">Département</label>
        <select {...field('departmentCode')} aria-invalid={department['aria-invalid']} aria-describedby={department['aria-describedby']}>
          <option value="">Tous vos départements</option>
          {departments.map((d) => (
            <option key={d.code} value={d.code}>
              {d.code} – {d.name}
            </option>
          ))}
        </select>
        <FieldProblem id="recherche-departmentCode-erreur" message={department.message} />
        <label htmlFor="recherche-place">Lieu où le jeune a été vu pour la dernière fois</label>
        <input {...field('place')} maxLength={200} aria-invalid={place['aria-invalid']} aria-describedby={place['aria-describedby']} />
        <FieldProblem id="recherche-place-erreur" message={place.message} />
        {error !== null && !problems && <ErrorBox error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Recherche…' : 'Rechercher'}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {matches && <p>{lookupAnnouncement(matches.length)}</p>}
      </div>
      {matches && matches.length > 0 && (
        <>
          <Heading id="titre-resultats">Fugues en cours qui correspondent</Heading>
          <table className="board" aria-labelledby="titre-resultats" id="resultats-recherche">
            <thead>
              <tr>
                <th scope="col">Jeune</th>
                <th scope="col">Âge</th>
                <th scope="col">Département</th>
                <th scope="col">Niveau</th>
                <th scope="col">Absent(e) depuis</th>
                <th scope="col">Transmettre</th>
              </tr>
            </thead>
            <tbody>
              {matches.map((m) => (
                <tr key={m.fugueId} data-fugue-id={m.fugueId}>
                  <th scope="row">Prénom en {m.firstNameInitial || '?'}.</th>
                  <td>{m.age} ans</td>
                  <td>{m.departmentCode}</td>
                  <td>{m.level ? <span className={`badge ${m.level}`}>{LEVEL_LABELS[m.level]}</span> : 'En cours d’évaluation'}</td>
                  <td>{minutesWords(m.minutesMissing)}</td>
                  <td>
                    {m.level === 'worrying' ? (
                      <Link href={`/episodes/${m.fugueId}`}>Ouvrir la fugue ({m.firstNameInitial}., {m.age} ans)</Link>
                    ) : (
                      <Link href={`/episodes/${m.fugueId}/appel`}>Transmettre un appel ({m.firstNameInitial}., {m.age} ans)</Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {matches.some((m) => m.level !== 'worrying') && <p className="hint">Une fugue courante ne s’ouvre pas en entier pour le 116 000 : l’appel lui est transmis sans son détail.</p>}
        </>
      )}
    </div>
  );
}

/**
 * Passing a call on to an episode found by the lookup, without reading it: the hotline reads only
 * worrying episodes, and reports on any episode of its départements.
 */
export function HotlineCallScreen({ fugueId }: { fugueId: string }) {
  useScreenTitle('Transmettre un appel du 116 000');
  const match = rememberedMatch(fugueId);
  const timeZone = useTimeZone(match?.departmentCode);
  const [confirmation, setConfirmation] = useState('');
  return (
    <article aria-labelledby="titre-appel">
      <h1 id="titre-appel">Transmettre un appel sur une fugue en cours</h1>
      {match ? (
        <p className="notice">
          Prénom en {match.firstNameInitial}., {match.age} ans, département {match.departmentCode}, fugue {match.level ? LEVEL_LABELS[match.level].toLowerCase() : 'en cours d’évaluation'}, absent(e) depuis{' '}
          {minutesWords(match.minutesMissing)} (au moment de la recherche).
        </p>
      ) : (
        <p className="notice">Fugue référence {fugueId.slice(0, 8).toUpperCase()}. Le détail d’une fugue courante n’est pas visible pour le 116 000.</p>
      )}
      <div role="status" aria-live="polite">
        {confirmation && <p className="notice">{confirmation}</p>}
      </div>
      <HotlineReport fugue={{ id: fugueId, status: null }} timeZone={timeZone} done={setConfirmation} />
      <p className="actions">
        <Link href="/recherche">Nouvelle recherche</Link>
      </p>
    </article>
  );
}
