import { useState, type FormEvent } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { CHANNEL_TITLES, REFERENT_ROLE_TITLES } from '../../labels';
import type { Foyer } from '../../session';
import { ErrorBox, Show, useLoad, useScreenTitle } from '../../ui/common';
import { ConfirmButton, fieldProblems, FieldError, FormError, problemOf, TextField } from './forms';
import { DepartmentPicker } from './DepartmentPicker';
import { SecretOnce } from './SecretOnce';
import { useAdminFoyers } from './useAdminFoyers';

type Referent = Schemas['ReferentResponse'];
type Role = keyof typeof REFERENT_ROLE_TITLES;
type ChannelType = keyof typeof CHANNEL_TITLES;
interface ChannelDraft {
  type: ChannelType;
  value: string;
}

const VALUE_FIELD: Record<ChannelType, 'address' | 'phone' | 'url'> = { email: 'address', sms: 'phone', webhook: 'url' };
const VALUE_LABEL: Record<ChannelType, string> = { email: 'Adresse électronique', sms: 'Numéro de portable (format international, +33…)', webhook: 'Adresse https du webhook' };

function channelBody(channels: ChannelDraft[]) {
  return channels.map((c) => ({ type: c.type, [VALUE_FIELD[c.type]]: c.value.trim() }));
}

function channelDrafts(referent: Referent): ChannelDraft[] {
  return referent.channels.map((c) => ({ type: c.type as ChannelType, value: c.address ?? c.phone ?? c.url ?? '' }));
}

/** Referents (admin): whom alerts reach in a département, by role, and on which channels. */
export function ReferentsScreen() {
  useScreenTitle('Référents');
  const [departmentCode, setDepartmentCode] = useState('');
  const [tick, setTick] = useState(0);
  const [status, setStatus] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const foyers = useAdminFoyers();
  const [loaded, reload] = useLoad(
    async () => (departmentCode ? must(api.GET('/v1/referents', { params: { query: { departmentCode, limit: 200 } } })) : null),
    [departmentCode, tick],
  );
  const changed = (message: string, webhookSecret?: string) => {
    setStatus(message);
    setSecret(webhookSecret ?? null);
    setTick((n) => n + 1);
  };
  const local = (foyers ?? []).filter((f) => f.departmentCode === departmentCode && !f.closedAt);
  return (
    <>
      <h1>Référents</h1>
      <p className="hint">Les personnes ou services que les alertes préviennent, selon la politique d’escalade du département.</p>
      <DepartmentPicker id="referents-departement" value={departmentCode} onChange={setDepartmentCode} />
      <p role="status" aria-live="polite" className="status">
        {status}
      </p>
      {secret && <SecretOnce label="Secret de signature du webhook" value={secret} what="ce secret" />}
      {departmentCode && (
        <>
          <CreateReferent key={`${departmentCode}-${tick}`} departmentCode={departmentCode} foyers={local} onCreated={(r) => changed(`Le référent ${r.displayName} a été ajouté.`, r.webhookSecret)} />
          <h2>Référents du département {departmentCode}</h2>
          <Show loaded={loaded} retry={reload}>
            {(page) =>
              page && page.items.length > 0 ? (
                <ul className="cards">
                  {page.items.map((r) => (
                    <ReferentRow key={`${r.id}-${r.updatedAt}`} referent={r} foyers={foyers ?? []} onChanged={changed} />
                  ))}
                </ul>
              ) : (
                <p>Aucun référent dans ce département : aucune alerte n’y prévient personne.</p>
              )
            }
          </Show>
        </>
      )}
    </>
  );
}

function ChannelFields({ idPrefix, channels, onChange, problems }: { idPrefix: string; channels: ChannelDraft[]; onChange: (next: ChannelDraft[]) => void; problems: Record<string, string> | null }) {
  const set = (i: number, patch: Partial<ChannelDraft>) => onChange(channels.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const listError = problems?.channels;
  return (
    <fieldset aria-describedby={listError ? `${idPrefix}-canaux-erreur` : undefined}>
      <legend>Canaux (1 à 3, dans l’ordre où les essayer)</legend>
      <FieldError id={`${idPrefix}-canaux-erreur`} error={listError} />
      {channels.map((c, i) => {
        const error = problemOf(problems, `channels.${i}`);
        return (
          <div key={i} className="channel">
            <label htmlFor={`${idPrefix}-canal-${i}-type`}>Canal {i + 1}</label>
            <select id={`${idPrefix}-canal-${i}-type`} value={c.type} onChange={(e) => set(i, { type: e.target.value as ChannelType })}>
              {(Object.keys(CHANNEL_TITLES) as ChannelType[]).map((t) => (
                <option key={t} value={t}>
                  {CHANNEL_TITLES[t]}
                </option>
              ))}
            </select>
            <TextField
              id={`${idPrefix}-canal-${i}-valeur`}
              label={`${VALUE_LABEL[c.type]} (canal ${i + 1})`}
              type={c.type === 'email' ? 'email' : c.type === 'sms' ? 'tel' : 'url'}
              value={c.value}
              onChange={(e) => set(i, { value: e.target.value })}
              required
              autoComplete="off"
              error={error}
            />
            {channels.length > 1 && (
              <button type="button" onClick={() => onChange(channels.filter((_, j) => j !== i))}>
                Retirer le canal {i + 1}
              </button>
            )}
          </div>
        );
      })}
      {channels.length < 3 && (
        <button type="button" onClick={() => onChange([...channels, { type: 'email', value: '' }])}>
          Ajouter un canal
        </button>
      )}
    </fieldset>
  );
}

function CreateReferent({ departmentCode, foyers, onCreated }: { departmentCode: string; foyers: Foyer[]; onCreated: (r: Referent) => void }) {
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('child_protection');
  const [foyerId, setFoyerId] = useState('');
  const [channels, setChannels] = useState<ChannelDraft[]>([{ type: 'email', value: '' }]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const problems = fieldProblems(error);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await must(
        api.POST('/v1/referents', {
          body: { displayName: displayName.trim(), role, departmentCode, ...(role === 'foyer_duty' ? { foyerId } : {}), channels: channelBody(channels) as Schemas['ChannelDto'][] },
        }),
      );
      onCreated(created);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const foyerError = problemOf(problems, 'foyerId');
  return (
    <form onSubmit={submit} aria-labelledby="titre-nouveau-referent" className="panel">
      <h2 id="titre-nouveau-referent">Ajouter un référent</h2>
      <TextField id="referent-nom" label="Nom affiché *" value={displayName} onChange={(e) => setDisplayName(e.target.value)} required maxLength={200} autoComplete="off" error={problemOf(problems, 'displayName')} />
      <label htmlFor="referent-role">Rôle *</label>
      <select id="referent-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {(Object.keys(REFERENT_ROLE_TITLES) as Role[]).map((r) => (
          <option key={r} value={r}>
            {REFERENT_ROLE_TITLES[r]}
          </option>
        ))}
      </select>
      {role === 'foyer_duty' && (
        <>
          <label htmlFor="referent-foyer">Foyer *</label>
          <select
            id="referent-foyer"
            value={foyerId}
            onChange={(e) => setFoyerId(e.target.value)}
            required
            aria-describedby={foyerError ? 'referent-foyer-erreur' : undefined}
            aria-invalid={foyerError ? true : undefined}
          >
            <option value="">Choisir…</option>
            {foyers.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
          <FieldError id="referent-foyer-erreur" error={foyerError} />
        </>
      )}
      <ChannelFields idPrefix="referent" channels={channels} onChange={setChannels} problems={problems} />
      <FormError error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Ajouter le référent
        </button>
      </div>
    </form>
  );
}

function ReferentRow({ referent, foyers, onChanged }: { referent: Referent; foyers: Foyer[]; onChanged: (message: string, webhookSecret?: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [displayName, setDisplayName] = useState(referent.displayName);
  const [channels, setChannels] = useState<ChannelDraft[]>(() => channelDrafts(referent));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const problems = fieldProblems(error);
  const id = `referent-${referent.id.slice(0, 8)}`;
  const foyer = foyers.find((f) => f.id === referent.foyerId);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await must(
        api.PATCH('/v1/referents/{id}', { params: { path: { id: referent.id } }, body: { displayName: displayName.trim(), channels: channelBody(channels) as Schemas['ChannelDto'][] } }),
      );
      onChanged(`Le référent ${saved.displayName} a été enregistré.`, saved.webhookSecret);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await must(api.DELETE('/v1/referents/{id}', { params: { path: { id: referent.id } } }));
      onChanged(`Le référent ${referent.displayName} a été supprimé.`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <li>
      <strong>{referent.displayName}</strong> <span className="badge">{REFERENT_ROLE_TITLES[referent.role as Role]}</span>
      {foyer && <span className="line2">Foyer : {foyer.name}</span>}
      <span className="line2">{referent.channels.map((c) => `${CHANNEL_TITLES[c.type as ChannelType]} : ${c.address ?? c.phone ?? c.url}`).join(' · ')}</span>
      {!editing && (
        <div className="actions">
          <button type="button" onClick={() => setEditing(true)} aria-label={`Modifier le référent ${referent.displayName}`}>
            Modifier
          </button>
          <ConfirmButton label={`Supprimer le référent ${referent.displayName}`} confirm="Confirmer la suppression" onConfirm={remove} disabled={busy} />
        </div>
      )}
      {editing && (
        <form onSubmit={save} aria-label={`Référent ${referent.displayName}`}>
          <TextField id={`${id}-nom`} label="Nom affiché *" value={displayName} onChange={(e) => setDisplayName(e.target.value)} required maxLength={200} error={problemOf(problems, 'displayName')} />
          <ChannelFields idPrefix={id} channels={channels} onChange={setChannels} problems={problems} />
          <FormError error={error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Enregistrer le référent
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
