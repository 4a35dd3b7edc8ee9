import { useMemo, useState, type FormEvent } from 'react';
import { api, must, newIdempotencyKey, type Schemas } from '../../api/client';
import { formatDateTime } from '../../format';
import { ACCESS_ROLE_LABELS } from '../../labels';
import { useSession } from '../../session';
import { ErrorBox, Show, useLoad, useScreenTitle } from '../../ui/common';
import { ConfirmButton, fieldProblems, FormError, problemOf, ScopeFields, scopeBody, scopeWords, TextField, type AccessRole, type Scope } from './forms';
import { TIME_ZONE, useAdminFoyers } from './useAdminFoyers';

type Person = Schemas['PersonResponse'];

/** People (admin): who signs in to the console, their role and scope; create, change, deactivate. */
export function PeopleScreen() {
  useScreenTitle('Personnes');
  const [loaded, reload] = useLoad(() => must(api.GET('/v1/people', { params: { query: { limit: 200 } } })), []);
  const foyers = useAdminFoyers();
  const [status, setStatus] = useState('');
  return (
    <>
      <h1>Personnes</h1>
      <p className="hint">Les personnes qui se connectent à la console, par un lien reçu par courriel.</p>
      <p role="status" aria-live="polite" className="status">
        {status}
      </p>
      <CreatePerson
        foyers={foyers}
        onCreated={(p) => {
          setStatus(`${p.displayName} a été ajouté(e). Un lien de connexion lui sera envoyé à sa demande.`);
          reload();
        }}
      />
      <h2>Toutes les personnes</h2>
      <Show loaded={loaded} retry={reload}>
        {(page) => (
          <ul className="cards">
            {page.items.map((p) => (
              <PersonRow
                key={p.id}
                person={p}
                foyers={foyers}
                onChanged={(message) => {
                  setStatus(message);
                  reload();
                }}
              />
            ))}
          </ul>
        )}
      </Show>
    </>
  );
}

function CreatePerson({ foyers, onCreated }: { foyers: ReturnType<typeof useAdminFoyers>; onCreated: (p: Person) => void }) {
  const { departments } = useSession();
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [scope, setScope] = useState<Scope>({ role: 'foyer', foyerIds: [], departmentCodes: [] });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useMemo(newIdempotencyKey, [displayName, email, scope]);
  const problems = fieldProblems(error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await must(api.POST('/v1/people', { body: { displayName: displayName.trim(), email: email.trim(), ...scopeBody(scope) }, headers: { 'Idempotency-Key': idempotencyKey } }));
      setDisplayName('');
      setEmail('');
      setScope({ role: 'foyer', foyerIds: [], departmentCodes: [] });
      onCreated(created);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-labelledby="titre-nouvelle-personne" className="panel">
      <h2 id="titre-nouvelle-personne">Ajouter une personne</h2>
      <TextField id="personne-nom" label="Nom affiché *" value={displayName} onChange={(e) => setDisplayName(e.target.value)} required maxLength={200} autoComplete="off" error={problemOf(problems, 'displayName')} />
      <TextField
        id="personne-courriel"
        label="Adresse électronique *"
        type="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        required
        maxLength={320}
        autoComplete="off"
        hint="Professionnelle ; la personne y reçoit ses liens de connexion."
        error={problemOf(problems, 'email')}
      />
      <ScopeFields idPrefix="personne" value={scope} onChange={setScope} foyers={foyers ?? []} departments={departments} problems={problems} />
      <FormError error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Ajout…' : 'Ajouter la personne'}
        </button>
      </div>
    </form>
  );
}

function PersonRow({ person, foyers, onChanged }: { person: Person; foyers: ReturnType<typeof useAdminFoyers>; onChanged: (message: string) => void }) {
  const { departments, me } = useSession();
  const [editing, setEditing] = useState(false);
  const [scope, setScope] = useState<Scope>({ role: person.role as AccessRole, foyerIds: person.foyerIds, departmentCodes: person.departmentCodes });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const problems = fieldProblems(error);
  const idPrefix = `personne-${person.id.slice(0, 8)}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(api.PATCH('/v1/people/{id}', { params: { path: { id: person.id } }, body: { ...scopeBody(scope), foyerIds: scope.role === 'foyer' ? scope.foyerIds : [], departmentCodes: ['police', 'child_protection', 'hotline'].includes(scope.role) ? scope.departmentCodes : [] } }));
      setEditing(false);
      onChanged(`Le rôle de ${person.displayName} a été enregistré.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const deactivate = async () => {
    setBusy(true);
    setError(null);
    try {
      await must(api.DELETE('/v1/people/{id}', { params: { path: { id: person.id } } }));
      onChanged(`${person.displayName} a été désactivé(e) : ses sessions ont pris fin.`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <li>
      <strong>{person.displayName}</strong> {person.deactivatedAt && <span className="badge">Désactivé(e)</span>}
      <span className="line2">
        {person.email} · {ACCESS_ROLE_LABELS[person.role as AccessRole]} · {scopeWords(person, foyers ?? [])}
        {person.deactivatedAt && ` · depuis le ${formatDateTime(person.deactivatedAt, TIME_ZONE)}`}
      </span>
      {!person.deactivatedAt && !editing && (
        <div className="actions">
          <button type="button" onClick={() => setEditing(true)} aria-label={`Changer le rôle de ${person.displayName}`}>
            Changer le rôle
          </button>
          {person.id !== me.id && <ConfirmButton label={`Désactiver ${person.displayName}`} confirm="Confirmer la désactivation" onConfirm={deactivate} disabled={busy} />}
        </div>
      )}
      {editing && (
        <form onSubmit={save} aria-label={`Rôle de ${person.displayName}`}>
          <ScopeFields idPrefix={idPrefix} value={scope} onChange={setScope} foyers={foyers ?? []} departments={departments} problems={problems} />
          <FormError error={error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Enregistrer le rôle
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Annuler
            </button>
          </div>
        </form>
      )}
      {!editing && error !== null && <ErrorBox error={error} />}
    </li>
  );
}
