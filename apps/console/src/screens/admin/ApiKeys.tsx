import { useMemo, useState, type FormEvent } from 'react';
import { api, must, newIdempotencyKey, type Schemas } from '../../api/client';
import { formatDateTime } from '../../format';
import { ACCESS_ROLE_LABELS } from '../../labels';
import { useSession } from '../../session';
import { ErrorBox, Show, useLoad, useScreenTitle } from '../../ui/common';
import { ConfirmButton, fieldProblems, FormError, problemOf, ScopeFields, scopeBody, scopeWords, TextField, type AccessRole, type Scope } from './forms';
import { SecretOnce } from './SecretOnce';
import { TIME_ZONE, useAdminFoyers } from './useAdminFoyers';

type Client = Schemas['ApiClientResponse'];

/** API keys (admin): the systems that call Vigie; a key is shown once, at its creation. */
export function ApiKeysScreen() {
  useScreenTitle('Clés d’API');
  const [loaded, reload] = useLoad(() => must(api.GET('/v1/api-clients', { params: { query: { limit: 200 } } })), []);
  const foyers = useAdminFoyers();
  const [created, setCreated] = useState<{ name: string; key: string; inboundWebhookSecret?: string } | null>(null);
  const [status, setStatus] = useState('');
  return (
    <>
      <h1>Clés d’API</h1>
      <p className="hint">Chaque système qui appelle Vigie (logiciel d’un foyer, 116 000, service départemental) a sa clé, son rôle et son périmètre.</p>
      <p role="status" aria-live="polite" className="status">
        {status}
      </p>
      {created && <SecretOnce label={`Clé d’API de ${created.name}`} value={created.key} what="cette clé" feminine />}
      {created?.inboundWebhookSecret && (
        <p className="notice">
          Secret de signature des événements du 116 000 (à copier aussi, affiché une seule fois) : <code>{created.inboundWebhookSecret}</code>
        </p>
      )}
      <CreateKey
        foyers={foyers ?? []}
        onCreated={(c) => {
          setCreated({ name: c.name, key: c.key, inboundWebhookSecret: c.inboundWebhookSecret });
          setStatus('');
          reload();
        }}
      />
      <h2>Toutes les clés</h2>
      <Show loaded={loaded} retry={reload}>
        {(page) => (
          <ul className="cards">
            {page.items.map((c) => (
              <KeyRow
                key={c.id}
                client={c}
                foyers={foyers ?? []}
                onRevoked={() => {
                  setCreated(null);
                  setStatus(`La clé de ${c.name} a été révoquée : elle ne fonctionne plus.`);
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

function CreateKey({ foyers, onCreated }: { foyers: ReturnType<typeof useAdminFoyers> & object; onCreated: (c: Schemas['CreatedApiClientResponse']) => void }) {
  const { departments } = useSession();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>({ role: 'foyer', foyerIds: [], departmentCodes: [] });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useMemo(newIdempotencyKey, [name, scope]);
  const problems = fieldProblems(error);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await must(api.POST('/v1/api-clients', { body: { name: name.trim(), ...scopeBody(scope) }, headers: { 'Idempotency-Key': idempotencyKey } }));
      setName('');
      setScope({ role: 'foyer', foyerIds: [], departmentCodes: [] });
      onCreated(created);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="titre-nouvelle-cle" className="panel">
      <h2 id="titre-nouvelle-cle">Créer une clé</h2>
      <TextField id="cle-nom" label="Nom du système *" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} autoComplete="off" error={problemOf(problems, 'name')} />
      <ScopeFields idPrefix="cle" value={scope} onChange={setScope} foyers={foyers} departments={departments} problems={problems} />
      <FormError error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Créer la clé
        </button>
      </div>
    </form>
  );
}

function KeyRow({ client, foyers, onRevoked }: { client: Client; foyers: NonNullable<ReturnType<typeof useAdminFoyers>>; onRevoked: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await must(api.DELETE('/v1/api-clients/{id}', { params: { path: { id: client.id } } }));
      onRevoked();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <li data-client={client.id}>
      <strong>{client.name}</strong> <code>{client.keyPrefix}…</code> {client.revokedAt && <span className="badge">Révoquée</span>}
      <span className="line2">
        {ACCESS_ROLE_LABELS[client.role as AccessRole]} · {scopeWords(client, foyers)} · créée le {formatDateTime(client.createdAt, TIME_ZONE)}
        {client.revokedAt && ` · révoquée le ${formatDateTime(client.revokedAt, TIME_ZONE)}`}
      </span>
      {!client.revokedAt && (
        <div className="actions">
          <ConfirmButton label={`Révoquer la clé de ${client.name}`} confirm="Confirmer la révocation" onConfirm={revoke} disabled={busy} />
        </div>
      )}
      {error !== null && <ErrorBox error={error} />}
    </li>
  );
}
