import { useMemo, useState, type FormEvent } from 'react';
import { api, must, newIdempotencyKey, type Schemas, type Youth } from '../api/client';
import { offered, VULNERABILITY_LABELS, SEX_LABELS } from '../labels';
import { navigate, Link } from '../router';
import { useSession } from '../session';
import { Checkboxes, ErrorBox, Show, useLoad, useScreenTitle } from '../ui/common';

type Vulnerability = keyof typeof VULNERABILITY_LABELS;
type Sex = Youth['sex'];

interface Draft {
  foyerId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  sex: Sex | '';
  description: string;
  photoUrl: string;
  phone: string;
  usualPlaces: string;
  vitalTreatment: boolean;
  medicalDetails: string;
  vulnerabilities: Vulnerability[];
  externalRef: string;
}

function draftOf(youth: Youth | null, foyerId: string): Draft {
  return {
    foyerId: youth?.foyerId ?? foyerId,
    firstName: youth?.firstName ?? '',
    lastName: youth?.lastName ?? '',
    birthDate: youth?.birthDate ?? '',
    sex: youth?.sex ?? '',
    description: youth?.description ?? '',
    photoUrl: youth?.photoUrl ?? '',
    phone: youth?.phone ?? '',
    usualPlaces: (youth?.usualPlaces ?? []).join('\n'),
    vitalTreatment: youth?.medical.vitalTreatment ?? false,
    medicalDetails: youth?.medical.details ?? '',
    vulnerabilities: (youth?.vulnerabilities ?? []) as Vulnerability[],
    externalRef: youth?.externalRef ?? '',
  };
}

/** Creates a youth's profile (id null) or edits one: every field the API records. */
export function YouthForm({ id }: { id: string | null }) {
  const [loaded, reload] = useLoad(async () => (id ? must(api.GET('/v1/youths/{id}', { params: { path: { id } } })) : null), [id]);
  useScreenTitle(id ? 'Modifier le profil' : 'Nouveau jeune');
  return (
    <Show loaded={loaded} retry={reload}>
      {(youth) => <Form youth={youth} />}
    </Show>
  );
}

function Form({ youth }: { youth: Youth | null }) {
  const session = useSession();
  // A closed foyer takes no new youth (the API refuses it): it is not offered.
  const openFoyers = session.foyers.filter((f) => !f.closedAt);
  const [draft, setDraft] = useState<Draft>(() => draftOf(youth, session.me.foyerIds.find((id) => openFoyers.some((f) => f.id === id)) ?? openFoyers[0]?.id ?? ''));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const idempotencyKey = useMemo(newIdempotencyKey, []);
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const text = (key: keyof Draft) => ({
    id: key,
    name: key,
    value: draft[key] as string,
    onChange: (e: { target: { value: string } }) => set(key)(e.target.value as never),
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    // An emptied field is cleared on a profile (null) and left out of a new one.
    const optional = (value: string) => (value.trim() ? value.trim() : youth ? null : undefined);
    const body = {
      firstName: draft.firstName.trim(),
      lastName: draft.lastName.trim(),
      birthDate: draft.birthDate,
      sex: draft.sex as Sex,
      description: optional(draft.description),
      photoUrl: optional(draft.photoUrl),
      phone: optional(draft.phone),
      usualPlaces: draft.usualPlaces.split('\n').map((p) => p.trim()).filter(Boolean),
      medical: { vitalTreatment: draft.vitalTreatment, ...(draft.medicalDetails.trim() ? { details: draft.medicalDetails.trim() } : {}) },
      vulnerabilities: draft.vulnerabilities,
      externalRef: optional(draft.externalRef),
    } satisfies Schemas['UpdateYouthDto'];
    try {
      const saved = youth
        ? await must(api.PATCH('/v1/youths/{id}', { params: { path: { id: youth.id } }, body }))
        : await must(api.POST('/v1/youths', { body: { ...body, foyerId: draft.foyerId }, headers: { 'Idempotency-Key': idempotencyKey } }));
      navigate(`/youths/${saved.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const title = youth ? `Modifier le profil de ${youth.firstName ?? ''} ${youth.lastName ?? ''}` : 'Nouveau jeune';
  return (
    <form onSubmit={submit} aria-labelledby="titre-profil">
      <h1 id="titre-profil">{title}</h1>
      <p className="hint">Les champs marqués d’un astérisque (*) sont obligatoires. Ce profil sert à déclarer une fugue en moins d’une minute : complétez-le dès l’arrivée du jeune.</p>
      {!youth && openFoyers.length > 1 && (
        <>
          <label htmlFor="foyerId">Foyer *</label>
          <select id="foyerId" value={draft.foyerId} onChange={(e) => set('foyerId')(e.target.value)} required>
            {openFoyers.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </>
      )}
      <fieldset>
        <legend>Identité</legend>
        <label htmlFor="firstName">Prénom *</label>
        <input {...text('firstName')} required maxLength={100} autoComplete="off" />
        <label htmlFor="lastName">Nom *</label>
        <input {...text('lastName')} required maxLength={100} autoComplete="off" />
        <label htmlFor="birthDate">Date de naissance *</label>
        <input {...text('birthDate')} type="date" required />
        <fieldset className="inline">
          <legend>Sexe *</legend>
          {(Object.keys(SEX_LABELS) as Sex[]).map((sex) => (
            <label key={sex} className="check">
              <input type="radio" name="sex" value={sex} checked={draft.sex === sex} onChange={() => set('sex')(sex)} required /> {SEX_LABELS[sex]}
            </label>
          ))}
        </fieldset>
        <label htmlFor="externalRef">Référence du dossier au foyer</label>
        <input {...text('externalRef')} maxLength={100} autoComplete="off" />
      </fieldset>
      <fieldset>
        <legend>Pour le retrouver</legend>
        <label htmlFor="description">Description physique</label>
        <textarea {...text('description')} maxLength={2000} rows={3} aria-describedby="description-aide" />
        <p className="hint" id="description-aide">
          Taille, corpulence, cheveux, signes particuliers.
        </p>
        <label htmlFor="photoUrl">Lien vers une photo récente</label>
        <input {...text('photoUrl')} type="url" maxLength={2000} placeholder="https://…" aria-describedby="photo-aide" />
        <p className="hint" id="photo-aide">
          Adresse https d’une photo hébergée par votre foyer ; elle est imprimée sur la fiche de signalement.
        </p>
        <label htmlFor="phone">Téléphone du jeune</label>
        <input {...text('phone')} type="tel" autoComplete="off" placeholder="+33 6 …" />
        <label htmlFor="usualPlaces">Lieux habituels (un par ligne)</label>
        <textarea {...text('usualPlaces')} rows={3} />
      </fieldset>
      <fieldset>
        <legend>Santé</legend>
        <label className="check">
          <input type="checkbox" checked={draft.vitalTreatment} onChange={(e) => set('vitalTreatment')(e.target.checked)} /> Suit un traitement médical vital
        </label>
        <label htmlFor="medicalDetails">Précisions médicales</label>
        <textarea {...text('medicalDetails')} rows={2} maxLength={2000} />
      </fieldset>
      <Checkboxes legend="Vulnérabilités connues" labels={offered(session.vocabularies.vulnerabilities, VULNERABILITY_LABELS)} value={draft.vulnerabilities} onChange={set('vulnerabilities')} name="vulnerabilities" />
      {error !== null && <ErrorBox error={error} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Enregistrement…' : youth ? 'Enregistrer les modifications' : 'Créer le profil'}
        </button>
        <Link href={youth ? `/youths/${youth.id}` : '/'}>Annuler</Link>
      </div>
    </form>
  );
}
