import { useState, type FormEvent } from 'react';
import { api, must, type Fugue } from '../api/client';
import { LEVEL_LABELS, reasonLabel } from '../labels';
import { ErrorBox } from '../ui/common';

/** The roles that may set a level by hand (api.md § Roles and scopes). */
export const OVERRIDING_ROLES = ['police', 'child_protection'];

type Level = 'routine' | 'worrying';

/**
 * Setting the level by hand, with a reason, or withdrawing a level set by hand. Lowering an
 * episode whose classification holds a critical trigger is child protection's decision alone: the
 * form is not offered to anyone else.
 */
export function OverrideLevel({ fugue, role, done }: { fugue: Fugue; role: string; done: (confirmation: string) => void }) {
  const critical = (fugue.classification?.reasons ?? []).filter((r) => r.kind === 'critical');
  const current = (fugue.effectiveLevel ?? 'routine') as Level;
  const target: Level = current === 'worrying' ? 'routine' : 'worrying';
  const mayChange = target === 'worrying' || critical.length === 0 || role === 'child_protection';
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const act = async (work: () => Promise<unknown>, confirmation: string) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setOpen(false);
      setReason('');
      done(confirmation);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(
      () => must(api.POST('/v1/fugues/{id}/override', { params: { path: { id: fugue.id } }, body: { level: target, reason: reason.trim() } })),
      `Niveau fixé à la main : ${LEVEL_LABELS[target]}. Le motif est enregistré dans la chronologie.`,
    );
  };
  const withdraw = () =>
    void act(() => must(api.DELETE('/v1/fugues/{id}/override', { params: { path: { id: fugue.id } } })), 'Niveau fixé à la main retiré : le niveau évalué s’applique de nouveau.');

  return (
    <section aria-labelledby="titre-niveau-main">
      <h2 id="titre-niveau-main">Niveau fixé à la main</h2>
      {!mayChange && (
        <p className="hint">
          Cette fugue a un déclencheur critique ({critical.map((r) => reasonLabel(r.code)).join(', ')}) : seule la protection de l’enfance peut l’abaisser.
        </p>
      )}
      <div className="actions">
        {mayChange && (
          <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            {target === 'routine' ? 'Abaisser à « Courante »' : 'Relever à « Préoccupante »'}
          </button>
        )}
        {fugue.override && (
          <button type="button" onClick={withdraw} disabled={busy}>
            Retirer le niveau fixé à la main
          </button>
        )}
      </div>
      {open && (
        <form onSubmit={submit} className="panel" aria-label={target === 'routine' ? 'Abaisser le niveau' : 'Relever le niveau'}>
          {target === 'routine' && critical.length > 0 && (
            <p className="consequences">
              Vous abaissez une fugue dont l’évaluation retient un déclencheur critique ({critical.map((r) => reasonLabel(r.code)).join(', ')}). L’alerte en cours
              prendra fin et les référents prévenus en seront informés.
            </p>
          )}
          <label htmlFor="overrideReason">Motif *</label>
          <textarea id="overrideReason" rows={2} required maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
          <button type="submit" className="primary" disabled={busy || !reason.trim()}>
            {target === 'routine' ? 'Abaisser à « Courante »' : 'Relever à « Préoccupante »'}
          </button>
        </form>
      )}
      {error !== null && <ErrorBox error={error} />}
    </section>
  );
}
