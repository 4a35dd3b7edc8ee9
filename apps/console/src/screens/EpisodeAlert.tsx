import { useState, type FormEvent } from 'react';
import { api, must, type Schemas, type TimelineEntry } from '../api/client';
import { ACTOR_ROLE_LABELS, ALERT_STATE_LABELS, CHANNEL_LABELS, NOTIFICATION_STATUS_LABELS, ROLE_LABELS } from '../labels';
import { ErrorBox } from '../ui/common';

export type Alert = Schemas['AlertResponse'];
type Notification = Schemas['NotificationResponse'];

/** The roles that may acknowledge an alert (the hotline may not). */
export const ACKNOWLEDGING_ROLES = ['admin', 'foyer', 'police', 'child_protection'];

/** The episode's latest alert with every notification, or null when it never had one. */
export async function loadAlert(fugueId: string): Promise<Alert | null> {
  const page = await must(api.GET('/v1/alerts', { params: { query: { fugueId, limit: 1 } } }));
  const latest = page.items[0];
  return latest ? must(api.GET('/v1/alerts/{id}', { params: { path: { id: latest.id } } })) : null;
}

/**
 * The alert: its state, who was told of it and when, who took it in hand; and, for those whose
 * role may, the way to acknowledge it.
 */
export function EpisodeAlert({
  alert,
  timeline,
  role,
  at,
  done,
}: {
  alert: Alert;
  timeline: TimelineEntry[];
  role: string;
  at: (iso: string) => string;
  done: (confirmation: string) => void;
}) {
  const mine = (e: TimelineEntry) => (e.data as { alertId?: string }).alertId === alert.id;
  const acknowledgement = timeline.find((e) => e.type === 'alert.acknowledged' && mine(e));
  const ackRole = (acknowledgement?.data as { role?: string } | undefined)?.role;
  const steps = timeline.filter((e) => e.type === 'alert.step' && mine(e));
  const byStep = new Map<number, Notification[]>();
  for (const n of alert.notifications.filter((n) => n.kind === 'alert.notification')) {
    const step = n.step ?? 0;
    byStep.set(step, [...(byStep.get(step) ?? []), n]);
  }
  const news = alert.notifications.filter((n) => n.kind === 'alert.news');
  return (
    <section aria-labelledby="titre-alerte" className={`notice${alert.state === 'open' ? ' worrying-border' : ''}`}>
      <h2 id="titre-alerte">Alerte</h2>
      <p>
        <strong>{ALERT_STATE_LABELS[alert.state]}</strong>
        {alert.state === 'acknowledged' && alert.acknowledgedAt && (
          <>
            {' '}
            le {at(alert.acknowledgedAt)}
            {ackRole ? ` par ${ACTOR_ROLE_LABELS[ackRole] ?? ackRole}` : ''}
          </>
        )}
        {alert.state === 'resolved' && alert.resolvedAt && <> le {at(alert.resolvedAt)} (la fugue a pris fin)</>}. Ouverte le {at(alert.openedAt)}.
      </p>
      {alert.state === 'open' && alert.nextStepAt && <p className="hint">Prochaine étape de l’alerte le {at(alert.nextStepAt)}, si personne ne la prend en compte d’ici là.</p>}
      <h3>Qui a été prévenu</h3>
      {byStep.size === 0 ? (
        <p>Personne encore.</p>
      ) : (
        <ul>
          {[...byStep.entries()].map(([step, sent]) => {
            const roles = (steps.find((e) => (e.data as { step?: number }).step === step)?.data as { roles?: string[] } | undefined)?.roles ?? [];
            return (
              <li key={step}>
                Étape {step + 1}
                {roles.length ? ` (${roles.map((r) => ROLE_LABELS[r] ?? r).join(', ')})` : ''} : {sent.map((n) => delivery(n, at)).join(' ; ')}
              </li>
            );
          })}
        </ul>
      )}
      {news.length > 0 && (
        <p>
          Nouvelles de la fugue envoyées aux référents prévenus : {news.map((n) => delivery(n, at)).join(' ; ')}.
        </p>
      )}
      {alert.state === 'open' && ACKNOWLEDGING_ROLES.includes(role) && <AcknowledgeForm alert={alert} done={done} />}
    </section>
  );
}

function delivery(n: Notification, at: (iso: string) => string): string {
  return `${CHANNEL_LABELS[n.channel]} ${NOTIFICATION_STATUS_LABELS[n.status]}${n.status === 'sent' && n.sentAt ? ` le ${at(n.sentAt)}` : ''}`;
}

function AcknowledgeForm({ alert, done }: { alert: Alert; done: (confirmation: string) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/v1/alerts/{id}/acknowledge', { params: { path: { id: alert.id } }, body: note.trim() ? { note: note.trim() } : {} }));
      done('Alerte prise en compte : ses étapes suivantes ne partiront pas, et chacun voit que vous vous en occupez.');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Prendre en compte l’alerte">
      <label htmlFor="ackNote">Note (facultative)</label>
      <textarea id="ackNote" rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      {error !== null && <ErrorBox error={error} />}
      <button type="submit" className="primary" disabled={busy}>
        Prendre en compte l’alerte
      </button>
    </form>
  );
}
