import { useEffect, useRef, useState } from 'react';

/**
 * A key or secret the API shows this once only: in a read-only field, with a copy button and the
 * warning that it cannot be shown again. Focus moves to it, so that it is not missed.
 */
export function SecretOnce({ label, value, what, feminine = false }: { label: string; value: string; what: string; feminine?: boolean }) {
  const [copied, setCopied] = useState<'' | 'copied' | 'failed'>('');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [value]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="secret consequences" tabIndex={-1} ref={ref} role="region" aria-labelledby="secret-titre">
      <h2 id="secret-titre">{label}</h2>
      <p id="secret-avertissement">
        <strong>
          Copiez {what} maintenant : {feminine ? 'elle ne sera plus jamais affichée' : 'il ne sera plus jamais affiché'}.
        </strong>{' '}
        Vigie n’en garde qu’une empreinte ; {feminine ? 'si elle est perdue, il faut en créer une autre' : 's’il est perdu, il faut en créer un autre'}.
      </p>
      <label htmlFor="secret-valeur">{label}</label>
      <input id="secret-valeur" readOnly value={value} aria-describedby="secret-avertissement" className="secret-value" onFocus={(e) => e.target.select()} />
      <div className="actions">
        <button type="button" onClick={copy}>
          Copier
        </button>
        <span role="status" aria-live="polite">
          {copied === 'copied' ? 'Copié dans le presse-papiers.' : copied === 'failed' ? 'La copie a échoué : sélectionnez le texte et copiez-le.' : ''}
        </span>
      </div>
    </div>
  );
}
