import type { Classification } from '../api/client';
import { LEVEL_LABELS, reasonLabel } from '../labels';

/** A level and each of its reasons in words. */
export function ClassificationView({ classification, heading = 'Niveau' }: { classification: Pick<Classification, 'level' | 'reasons'>; heading?: string }) {
  const worrying = classification.level === 'worrying';
  return (
    <div className={`level ${worrying ? 'worrying' : 'routine'}`}>
      <p>
        {heading} : <strong className="level-name">{LEVEL_LABELS[classification.level]}</strong>
      </p>
      {classification.reasons.length > 0 ? (
        <ul aria-label="Raisons">
          {classification.reasons.map((r) => (
            <li key={r.code}>
              {reasonLabel(r.code)}
              {r.kind === 'critical' ? ' (critère décisif)' : r.weight ? ` (+${r.weight})` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucun facteur de risque relevé.</p>
      )}
    </div>
  );
}
