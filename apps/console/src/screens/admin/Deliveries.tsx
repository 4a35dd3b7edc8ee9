import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { formatDateTime } from '../../format';
import { CHANNEL_TITLES, DELIVERY_STATUS_LABELS, NOTIFICATION_STATUS_TITLES } from '../../labels';
import { Link } from '../../router';
import { ErrorBox, Show, useLoad, useScreenTitle } from '../../ui/common';
import { TIME_ZONE } from './useAdminFoyers';

type Endpoint = Schemas['WebhookEndpointResponse'];
type Delivery = Schemas['WebhookDeliveryResponse'];
type Notification = Schemas['NotificationResponse'];

const when = (iso: string | null) => (iso ? formatDateTime(iso, TIME_ZONE) : '—');

/** Webhook endpoints with their deliveries (redeliver), and the notifications that failed for good (replay). */
export function DeliveriesScreen() {
  useScreenTitle('Webhooks et envois échoués');
  const [endpoints, reloadEndpoints] = useLoad(() => must(api.GET('/v1/webhook-endpoints', { params: { query: { limit: 200 } } })), []);
  const [dead, reloadDead] = useLoad(() => must(api.GET('/v1/notifications/dead-letter', { params: { query: { limit: 100 } } })), []);
  const [open, setOpen] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  return (
    <>
      <h1>Webhooks et envois échoués</h1>
      <p role="status" aria-live="polite" className="status">
        {status}
      </p>
      <h2>Abonnements webhook</h2>
      <Show loaded={endpoints} retry={reloadEndpoints}>
        {(page) =>
          page.items.length === 0 ? (
            <p>Aucun abonnement webhook.</p>
          ) : (
            <ul className="cards">
              {page.items.map((e) => (
                <EndpointRow key={e.id} endpoint={e} open={open === e.id} onToggle={() => setOpen(open === e.id ? null : e.id)} onStatus={setStatus} />
              ))}
            </ul>
          )
        }
      </Show>
      <h2>Messages aux référents échoués définitivement</h2>
      <p className="hint">Après 24 heures d’essais, ou interrompus pendant l’envoi. « Renvoyer » les envoie de nouveau, maintenant.</p>
      <Show loaded={dead} retry={reloadDead}>
        {(page) =>
          page.items.length === 0 ? (
            <p>Aucun message échoué.</p>
          ) : (
            <ul className="cards">
              {page.items.map((n) => (
                <DeadLetterRow key={n.id} notification={n} onReplayed={(message) => (setStatus(message), reloadDead())} />
              ))}
            </ul>
          )
        }
      </Show>
    </>
  );
}

function EndpointRow({ endpoint, open, onToggle, onStatus }: { endpoint: Endpoint; open: boolean; onToggle: () => void; onStatus: (message: string) => void }) {
  return (
    <li>
      <strong>{endpoint.url}</strong> {endpoint.status === 'disabled' && <span className="badge">Désactivé</span>}
      <span className="line2">
        {endpoint.description ? `${endpoint.description} · ` : ''}
        {endpoint.events.join(', ')}
      </span>
      <div className="actions">
        <button type="button" aria-expanded={open} aria-controls={`envois-${endpoint.id}`} onClick={onToggle}>
          {open ? 'Masquer les envois' : 'Voir les envois'}
        </button>
      </div>
      {open && (
        <div id={`envois-${endpoint.id}`}>
          <EndpointDeliveries endpointId={endpoint.id} onStatus={onStatus} />
        </div>
      )}
    </li>
  );
}

function EndpointDeliveries({ endpointId, onStatus }: { endpointId: string; onStatus: (message: string) => void }) {
  const [loaded, reload] = useLoad(() => must(api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: 50 } } })), [endpointId]);
  return (
    <Show loaded={loaded} retry={reload}>
      {(page) =>
        page.items.length === 0 ? (
          <p>Aucun envoi pour l’instant.</p>
        ) : (
          <table className="admin-table">
            <caption>Derniers envois</caption>
            <thead>
              <tr>
                <th scope="col">Événement</th>
                <th scope="col">État</th>
                <th scope="col">Essais</th>
                <th scope="col">Dernier essai</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((d) => (
                <DeliveryRow key={d.id} delivery={d} onRedelivered={(m) => (onStatus(m), reload())} />
              ))}
            </tbody>
          </table>
        )
      }
    </Show>
  );
}

function DeliveryRow({ delivery, onRedelivered }: { delivery: Delivery; onRedelivered: (message: string) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const redeliver = async () => {
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/v1/webhook-deliveries/{id}/redeliver', { params: { path: { id: delivery.id } } }));
      onRedelivered(`L’événement ${delivery.eventType} est renvoyé.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td>{delivery.eventType}</td>
      <td>
        {DELIVERY_STATUS_LABELS[delivery.status]}
        {delivery.lastError ? ` (${delivery.lastError})` : delivery.lastStatusCode ? ` (HTTP ${delivery.lastStatusCode})` : ''}
      </td>
      <td>{delivery.attempts}</td>
      <td>{when(delivery.lastAttemptAt)}</td>
      <td>
        <button type="button" onClick={redeliver} disabled={busy || delivery.status === 'sending'} aria-label={`Renvoyer l’événement ${delivery.eventType} du ${when(delivery.lastAttemptAt)}`}>
          Renvoyer
        </button>
        {error !== null && <ErrorBox error={error} />}
      </td>
    </tr>
  );
}

function DeadLetterRow({ notification, onReplayed }: { notification: Notification; onReplayed: (message: string) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const replay = async () => {
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/v1/notifications/{id}/replay', { params: { path: { id: notification.id } } }));
      onReplayed('Le message est renvoyé.');
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <li>
      <strong>{CHANNEL_TITLES[notification.channel]}</strong> · {NOTIFICATION_STATUS_TITLES[notification.status]} · {notification.attempts} essai(s)
      <span className="line2">
        <Link href={`/episodes/${notification.fugueId}`}>Épisode</Link> · {notification.kind}
        {notification.step !== null ? ` · étape ${notification.step + 1}` : ''}
      </span>
      {notification.lastError && <span className="line2">Erreur : {notification.lastError}</span>}
      <div className="actions">
        <button type="button" onClick={replay} disabled={busy}>
          Renvoyer le message
        </button>
      </div>
      {error !== null && <ErrorBox error={error} />}
    </li>
  );
}
