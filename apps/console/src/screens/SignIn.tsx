import { useEffect, useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import { ErrorBox, useScreenTitle } from '../ui/common';
import { useLocation } from '../router';

/** Only paths of this site, as the server accepts them. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/connexion') ? next : '/';
}

export function SignIn() {
  useScreenTitle('Connexion');
  const { query } = useLocation();
  const next = safeNext(query.get('next'));
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [oidc, setOidc] = useState(false);

  useEffect(() => {
    must(api.GET('/auth/options')).then(
      (options) => setOidc(options.oidc),
      () => setOidc(false),
    );
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/auth/email-link', { body: { email: email.trim(), next } }));
      setSent(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="narrow" aria-labelledby="titre-connexion">
      <h1 id="titre-connexion">Connexion à Vigie</h1>
      {sent ? (
        <div role="status" className="notice">
          <p>
            <strong>Un lien de connexion vous a été envoyé</strong> à l’adresse {email.trim()}, si elle est celle d’une personne inscrite. Ouvrez-le depuis cet
            appareil dans les 15 minutes : il ne sert qu’une fois.
          </p>
          <button type="button" className="link" onClick={() => setSent(false)}>
            Utiliser une autre adresse
          </button>
        </div>
      ) : (
        <form onSubmit={submit} noValidate={false}>
          <p>Saisissez votre adresse électronique professionnelle : nous vous envoyons un lien pour vous connecter, sans mot de passe.</p>
          <label htmlFor="email">Adresse électronique</label>
          <input id="email" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          {error !== null && <ErrorBox error={error} />}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Envoi…' : 'Recevoir un lien de connexion'}
          </button>
        </form>
      )}
      {oidc && (
        <p className="alt-sign-in">
          <a className="button" href={`/auth/oidc?next=${encodeURIComponent(next)}`}>
            Se connecter avec ProConnect
          </a>
        </p>
      )}
    </section>
  );
}
