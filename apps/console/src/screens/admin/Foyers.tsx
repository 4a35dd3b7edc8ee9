import { useMemo, useState, type FormEvent } from 'react';
import { api, must, newIdempotencyKey, RequestFailed } from '../../api/client';
import { formatDateTime } from '../../format';
import { FOYER_KIND_LABELS } from '../../labels';
import { useSession, type Foyer } from '../../session';
import { ErrorBox, Loading, useScreenTitle } from '../../ui/common';
import { ConfirmButton, fieldProblems, FieldError, FormError, problemOf, TextField } from './forms';
import { TIME_ZONE, useAdminFoyers } from './useAdminFoyers';

type Kind = keyof typeof FOYER_KIND_LABELS;

/** Foyers (admin): their name, address and phone as alerts give them; create, change, close. */
export function FoyersScreen() {
  useScreenTitle('Foyers');
  const [tick, setTick] = useState(0);
  const foyers = useAdminFoyers(tick);
  const [status, setStatus] = useState('');
  const changed = (message: string) => {
    setStatus(message);
    setTick((n) => n + 1);
  };
  return (
    <>
      <h1>Foyers</h1>
      <p className="hint">Le téléphone et l’adresse d’un foyer figurent dans les alertes envoyées aux référents.</p>
      <p role="status" aria-live="polite" className="status">
        {status}
      </p>
      <CreateFoyer onCreated={(name) => changed(`Le foyer ${name} a été créé.`)} />
      <h2>Tous les foyers</h2>
      {foyers === null ? (
        <Loading />
      ) : (
        <ul className="cards">
          {foyers.map((f) => (
            <FoyerRow key={`${f.id}-${tick}`} foyer={f} onChanged={changed} />
          ))}
        </ul>
      )}
    </>
  );
}

function CreateFoyer({ onCreated }: { onCreated: (name: string) => void }) {
  const { departments } = useSession();
  const [name, setName] = useState('');
  const [departmentCode, setDepartmentCode] = useState('');
  const [kind, setKind] = useState<Kind>('ase');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useMemo(newIdempotencyKey, [name, departmentCode, kind]);
  const problems = fieldProblems(error);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await must(api.POST('/v1/foyers', { body: { name: name.trim(), departmentCode, kind }, headers: { 'Idempotency-Key': idempotencyKey } }));
      setName('');
      onCreated(created.name);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const departmentError = problemOf(problems, 'departmentCode');
  return (
    <form onSubmit={submit} aria-labelledby="titre-nouveau-foyer" className="panel">
      <h2 id="titre-nouveau-foyer">Créer un foyer</h2>
      <TextField id="foyer-nouveau-nom" label="Nom *" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} error={problemOf(problems, 'name')} />
      <label htmlFor="foyer-nouveau-departement">Département *</label>
      <select
        id="foyer-nouveau-departement"
        value={departmentCode}
        onChange={(e) => setDepartmentCode(e.target.value)}
        required
        aria-describedby={departmentError ? 'foyer-nouveau-departement-erreur' : undefined}
        aria-invalid={departmentError ? true : undefined}
      >
        <option value="">Choisir…</option>
        {departments.map((d) => (
          <option key={d.code} value={d.code}>
            {d.code} – {d.name}
          </option>
        ))}
      </select>
      <FieldError id="foyer-nouveau-departement-erreur" error={departmentError} />
      <label htmlFor="foyer-nouveau-type">Type *</label>
      <select id="foyer-nouveau-type" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        {(Object.keys(FOYER_KIND_LABELS) as Kind[]).map((k) => (
          <option key={k} value={k}>
            {FOYER_KIND_LABELS[k]}
          </option>
        ))}
      </select>
      <FormError error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Créer le foyer
        </button>
      </div>
    </form>
  );
}

function FoyerRow({ foyer, onChanged }: { foyer: Foyer; onChanged: (message: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(foyer.name);
  const [address, setAddress] = useState(foyer.address ?? '');
  const [phone, setPhone] = useState(foyer.phone ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const problems = fieldProblems(error);
  const id = `foyer-${foyer.id.slice(0, 8)}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(
        api.PATCH('/v1/foyers/{id}', {
          params: { path: { id: foyer.id } },
          body: { name: name.trim(), address: address.trim() ? address.trim() : null, phone: phone.trim() ? phone.trim() : null },
        }),
      );
      onChanged(`Le foyer ${name.trim()} a été enregistré.`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const close = async () => {
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/v1/foyers/{id}/close', { params: { path: { id: foyer.id } } }));
      onChanged(`Le foyer ${foyer.name} a été fermé.`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <li>
      <strong>{foyer.name}</strong> {foyer.closedAt && <span className="badge">Fermé</span>}
      <span className="line2">
        {foyer.departmentCode} · {FOYER_KIND_LABELS[foyer.kind as Kind]} · Téléphone : {foyer.phone ?? 'non renseigné'} · Adresse : {foyer.address ?? 'non renseignée'}
        {foyer.closedAt && ` · fermé le ${formatDateTime(foyer.closedAt, TIME_ZONE)}`}
      </span>
      {!foyer.closedAt && !editing && (
        <div className="actions">
          <button type="button" onClick={() => setEditing(true)} aria-label={`Modifier le foyer ${foyer.name}`}>
            Modifier
          </button>
          <ConfirmButton label={`Fermer le foyer ${foyer.name}`} confirm="Confirmer la fermeture" onConfirm={close} disabled={busy} />
        </div>
      )}
      {editing && (
        <form onSubmit={save} aria-label={`Foyer ${foyer.name}`}>
          <TextField id={`${id}-nom`} label="Nom *" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} error={problemOf(problems, 'name')} />
          <TextField id={`${id}-adresse`} label="Adresse" value={address} onChange={(e) => setAddress(e.target.value)} maxLength={500} error={problemOf(problems, 'address')} />
          <TextField
            id={`${id}-telephone`}
            label="Téléphone"
            type="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            hint="Donné aux référents qu’une alerte prévient. Chiffres, espaces, points, tirets, un + au début."
            error={problemOf(problems, 'phone')}
          />
          <FormError error={error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Enregistrer le foyer
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Annuler
            </button>
          </div>
        </form>
      )}
      {!editing && error instanceof RequestFailed && error.status === 409 && error.body?.code === 'CONFLICT' ? (
        <p className="error" role="alert">
          Une fugue de ce foyer est en cours (jeune disparu ou localisé) : le foyer ne pourra être fermé qu’une fois cette fugue terminée.
        </p>
      ) : (
        !editing && error !== null && <ErrorBox error={error} />
      )}
    </li>
  );
}
