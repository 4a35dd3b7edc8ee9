import { useMemo, useState, type FormEvent } from 'react';
import { api, must, newIdempotencyKey, type Fugue } from '../api/client';
import { fromLocalInput, toLocalInput } from '../format';
import { HOTLINE_CALLER_LABELS, INDICATOR_LABELS } from '../labels';
import { Checkboxes } from '../ui/common';
import { ConnectionsFields, SubmitError, useConnectionsForm } from '../ui/connections';

type Indicator = keyof typeof INDICATOR_LABELS;
type Caller = keyof typeof HOTLINE_CALLER_LABELS;

/** The report's fields as the API names them in a refusal. */
const HOTLINE_FIELDS: Record<string, string> = {
  'data.receivedAt': 'Appel reçu le',
  'data.caller': 'Qui a appelé ?',
  'data.sighting.at': 'Vu(e) le',
  'data.sighting.place': 'Vu(e) à',
  'data.summary': 'Résumé de l’appel',
  'data.at': 'Localisé(e) le',
  'data.place': 'Où',
};

/**
 * A 116 000 listener's report on the episode: a call received, or the child located — the facts
 * the hotline's signed events carry (POST /v1/fugues/{id}/hotline-reports).
 */
export function HotlineReport({ fugue, timeZone, done }: { fugue: { id: string; status: Fugue['status'] | null }; timeZone: string; done: (confirmation: string) => void }) {
  const now = () => toLocalInput(new Date().toISOString(), timeZone);
  const [kind, setKind] = useState<'call' | 'located'>('call');
  const [receivedAt, setReceivedAt] = useState(now);
  const [caller, setCaller] = useState<Caller | ''>('');
  const [sighting, setSighting] = useState(false);
  const [sightingAt, setSightingAt] = useState(now);
  const [sightingPlace, setSightingPlace] = useState('');
  const [indicators, setIndicators] = useState<Indicator[]>([]);
  const [summary, setSummary] = useState('');
  const [locatedAt, setLocatedAt] = useState(now);
  const [locatedPlace, setLocatedPlace] = useState('');
  // One key per report: a double tap, or a retry after a lost answer, never records it twice.
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const connections = useConnectionsForm(timeZone);
  // Unknown (an episode the hotline may not read, found by its lookup): offered, the API decides.
  const canLocate = fugue.status === 'missing' || fugue.status === null;

  const body = useMemo(() => {
    if (kind === 'located') {
      return { type: 'hotline.child_located' as const, data: { at: fromLocalInput(locatedAt, timeZone) ?? '', ...(locatedPlace.trim() ? { place: locatedPlace.trim() } : {}) } };
    }
    const seenAt = fromLocalInput(sightingAt, timeZone);
    return {
      type: 'hotline.call_received' as const,
      data: {
        receivedAt: fromLocalInput(receivedAt, timeZone) ?? '',
        caller: caller as Caller,
        ...(sighting && seenAt ? { sighting: { at: seenAt, ...(sightingPlace.trim() ? { place: sightingPlace.trim() } : {}) } } : {}),
        ...(indicators.length ? { indicators } : {}),
        ...(summary.trim() ? { summary: summary.trim() } : {}),
      },
    };
  }, [kind, locatedAt, locatedPlace, timeZone, sightingAt, receivedAt, caller, sighting, sightingPlace, indicators, summary]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const told = kind === 'call' ? connections.build() : undefined;
    try {
      await must(
        api.POST('/v1/fugues/{id}/hotline-reports', {
          params: { path: { id: fugue.id } },
          headers: { 'Idempotency-Key': key },
          body: told && body.type === 'hotline.call_received' ? { ...body, data: { ...body.data, connections: told } } : body,
        }),
      );
      setKey(newIdempotencyKey());
      setSummary('');
      setIndicators([]);
      setSighting(false);
      setSightingPlace('');
      connections.reset();
      done(kind === 'located' ? 'Localisation enregistrée : la fugue est marquée « localisé(e) », les référents prévenus en sont informés.' : 'Appel enregistré : il figure dans la chronologie et le niveau de la fugue est réévalué.');
    } catch (e) {
      setError(e);
      connections.refused(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="titre-116000">
      <h2 id="titre-116000">Transmettre un appel du 116 000</h2>
      <form onSubmit={submit} className="panel" aria-label="Transmettre un appel du 116 000">
        <fieldset>
          <legend>Ce que vous transmettez</legend>
          <label className="check">
            <input type="radio" name="hotline-kind" checked={kind === 'call'} onChange={() => setKind('call')} /> Un appel reçu au sujet de ce jeune
          </label>
          {canLocate && (
            <label className="check">
              <input type="radio" name="hotline-kind" checked={kind === 'located'} onChange={() => setKind('located')} /> Le jeune est localisé(e)
            </label>
          )}
        </fieldset>
        {kind === 'call' ? (
          <>
            <label htmlFor="receivedAt">Appel reçu le</label>
            <input id="receivedAt" type="datetime-local" required value={receivedAt} onChange={(e) => setReceivedAt(e.target.value)} />
            <fieldset>
              <legend>Qui a appelé ? *</legend>
              {(Object.keys(HOTLINE_CALLER_LABELS) as Caller[]).map((code) => (
                <label key={code} className="check">
                  <input type="radio" name="hotline-caller" required checked={caller === code} onChange={() => setCaller(code)} /> {HOTLINE_CALLER_LABELS[code]}
                </label>
              ))}
            </fieldset>
            <label className="check">
              <input type="checkbox" checked={sighting} onChange={(e) => setSighting(e.target.checked)} /> L’appelant a vu le jeune
            </label>
            {sighting && (
              <>
                <label htmlFor="hotlineSightingAt">Vu(e) le</label>
                <input id="hotlineSightingAt" type="datetime-local" required value={sightingAt} onChange={(e) => setSightingAt(e.target.value)} />
                <label htmlFor="hotlineSightingPlace">Vu(e) à (lieu)</label>
                <input id="hotlineSightingPlace" maxLength={500} value={sightingPlace} onChange={(e) => setSightingPlace(e.target.value)} />
              </>
            )}
            <Checkboxes legend="Signes de danger rapportés" labels={INDICATOR_LABELS} value={indicators} onChange={setIndicators} name="hotline-indicators" />
            <label htmlFor="hotlineSummary">Résumé de l’appel</label>
            <textarea id="hotlineSummary" rows={3} maxLength={4000} value={summary} onChange={(e) => setSummary(e.target.value)} />
            <ConnectionsFields idPrefix="appel" value={connections.rows} onChange={connections.setRows} youths={[]} problems={connections.problems} />
          </>
        ) : (
          <>
            <label htmlFor="hotlineLocatedAt">Localisé(e) le</label>
            <input id="hotlineLocatedAt" type="datetime-local" required value={locatedAt} onChange={(e) => setLocatedAt(e.target.value)} />
            <label htmlFor="hotlineLocatedPlace">Où</label>
            <input id="hotlineLocatedPlace" maxLength={500} value={locatedPlace} onChange={(e) => setLocatedPlace(e.target.value)} />
          </>
        )}
        <SubmitError error={error} problems={connections.problems} labels={HOTLINE_FIELDS} />
        <button type="submit" className="primary" disabled={busy || (kind === 'call' && !caller)}>
          Transmettre
        </button>
      </form>
    </section>
  );
}
