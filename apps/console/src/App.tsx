import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { api, must, RequestFailed, setCsrfToken, signInAddress } from './api/client';
import { match, navigate, Link, useLocation } from './router';
import { SessionContext, type Session } from './session';
import { ErrorBox, Loading } from './ui/common';
import { SignIn } from './screens/SignIn';
import { YouthList } from './screens/YouthList';
import { YouthForm } from './screens/YouthForm';
import { YouthProfile } from './screens/YouthProfile';
import { DeclareFugue } from './screens/DeclareFugue';
import { EpisodeScreen } from './screens/Episode';
import { BoardScreen } from './screens/Board';
import { HotlineCallScreen, HotlineLookupScreen } from './screens/HotlineLookup';

// The screens used after an episode is over load when they are opened.
const InterviewScreen = lazy(() => import('./screens/Interview').then((m) => ({ default: m.InterviewScreen })));
const YouthHistory = lazy(() => import('./screens/YouthHistory').then((m) => ({ default: m.YouthHistory })));
const Fiche = lazy(() => import('./screens/Fiche').then((m) => ({ default: m.Fiche })));
// The statistics page and its chart library load only when opened: the first screen stays small.
const StatisticsScreen = lazy(() => import('./screens/statistics/Statistics').then((m) => ({ default: m.StatisticsScreen })));
// The administration screens (admins only) load when opened.
const AdministrationScreen = lazy(() => import('./screens/admin/Administration').then((m) => ({ default: m.AdministrationScreen })));

/** The roles that register youths (api.md § Roles and scopes). */
const YOUTH_WRITERS = ['admin', 'foyer'];
/** The roles that list youths (GET /v1/youths): the hotline follows episodes only. */
const YOUTH_READERS = ['admin', 'foyer', 'police', 'child_protection'];
/** The roles that read the statistics (police without what interviews revealed). */
const STATISTICS_ROLES = ['admin', 'child_protection', 'police'];
/** The roles that follow the live board; for all but admin it is the home page. */
const BOARD_ROLES = ['admin', 'child_protection', 'police', 'hotline'];
const BOARD_HOME_ROLES = ['child_protection', 'police', 'hotline'];
/** The roles that look an episode up from what a caller says (POST /v1/hotline/lookup). */
const LOOKUP_ROLES = ['hotline'];

type State = { state: 'loading' } | { state: 'signed-out' } | { state: 'error'; error: unknown } | { state: 'ready'; session: Session };

async function loadSession(): Promise<Session> {
  const me = await must(api.GET('/v1/me'));
  setCsrfToken(me.csrfToken);
  const [foyers, departments, vocabularies] = await Promise.all([
    // The hotline reads no foyer (api.md § Roles and scopes): its people follow episodes only.
    me.role === 'hotline' ? { items: [] } : must(api.GET('/v1/foyers', { params: { query: { limit: 200 } } })),
    must(api.GET('/v1/departments')),
    must(api.GET('/v1/vocabularies')),
  ]);
  return { me, foyers: foyers.items, departments: departments.items, vocabularies };
}

export function App() {
  const { path } = useLocation();
  const [state, setState] = useState<State>({ state: 'loading' });

  // After moving to another screen, focus goes to its content (screen readers announce it, the
  // keyboard starts there), as a page load would do.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('contenu')?.focus();
  }, [path]);

  const start = useCallback(() => {
    setState({ state: 'loading' });
    loadSession().then(
      (session) => setState({ state: 'ready', session }),
      (error: unknown) => setState(error instanceof RequestFailed && error.status === 401 ? { state: 'signed-out' } : { state: 'error', error }),
    );
  }, []);
  useEffect(start, [start]);

  useEffect(() => {
    const ended = () => {
      setState({ state: 'signed-out' });
      navigate(signInAddress(), { replace: true });
    };
    window.addEventListener('vigie:signed-out', ended);
    return () => window.removeEventListener('vigie:signed-out', ended);
  }, []);

  // Signed out: every address shows the sign-in page, which brings the person back there.
  useEffect(() => {
    if (state.state === 'signed-out' && path !== '/connexion') navigate(signInAddress(), { replace: true });
  }, [state.state, path]);

  if (path === '/connexion' || state.state === 'signed-out') {
    return (
      <Shell session={null}>
        <SignIn />
      </Shell>
    );
  }
  if (state.state === 'loading') {
    return (
      <Shell session={null}>
        <Loading what="Ouverture de la console…" />
      </Shell>
    );
  }
  if (state.state === 'error') {
    return (
      <Shell session={null}>
        <h1>Vigie</h1>
        <ErrorBox error={state.error} retry={start} />
      </Shell>
    );
  }
  const fiche = match('/episodes/:id/fiche', path);
  if (fiche) {
    return (
      <SessionContext.Provider value={state.session}>
        <Suspense fallback={<Loading />}>
          <Fiche id={fiche.id} />
        </Suspense>
      </SessionContext.Provider>
    );
  }
  return (
    <SessionContext.Provider value={state.session}>
      <Shell session={state.session}>
        <Suspense fallback={<Loading />}>
          <Screen path={path} role={state.session.me.role} />
        </Suspense>
      </Shell>
    </SessionContext.Provider>
  );
}

function Screen({ path, role }: { path: string; role: string }) {
  let m: Record<string, string> | null;
  if ((path === '/' && BOARD_HOME_ROLES.includes(role)) || path === '/tableau') return <BoardScreen />;
  if (path === '/' || path === '/youths') return <YouthList />;
  if (path === '/youths/new') return <YouthForm id={null} />;
  if (path === '/statistiques') return <StatisticsScreen />;
  if (path === '/recherche' && LOOKUP_ROLES.includes(role)) return <HotlineLookupScreen />;
  if (path === '/administration' || path === '/administration/') return <AdministrationScreen page={null} />;
  if ((m = match('/administration/:page', path))) return <AdministrationScreen page={m.page} key={m.page} />;
  if ((m = match('/youths/:id/edit', path))) return <YouthForm id={m.id} key={m.id} />;
  if ((m = match('/youths/:id/declare', path))) return <DeclareFugue youthId={m.id} key={m.id} />;
  if ((m = match('/youths/:id/history', path))) return <YouthHistory id={m.id} key={m.id} />;
  if ((m = match('/youths/:id', path))) return <YouthProfile id={m.id} key={m.id} />;
  if ((m = match('/episodes/:id/interview', path))) return <InterviewScreen fugueId={m.id} key={m.id} />;
  if ((m = match('/episodes/:id/appel', path)) && LOOKUP_ROLES.includes(role)) return <HotlineCallScreen fugueId={m.id} key={m.id} />;
  if ((m = match('/episodes/:id', path))) return <EpisodeScreen id={m.id} key={m.id} />;
  return (
    <>
      <h1>Page introuvable</h1>
      <p>Cette adresse ne correspond à aucune page de la console.</p>
      <p>
        <Link href="/">Revenir à la liste des jeunes</Link>
      </p>
    </>
  );
}

function Shell({ session, children }: { session: Session | null; children: ReactNode }) {
  const [leaving, setLeaving] = useState(false);
  const signOut = async () => {
    setLeaving(true);
    try {
      await api.POST('/auth/logout');
    } finally {
      setCsrfToken(null);
      // A full load: nothing of the session stays in memory.
      location.assign('/connexion');
    }
  };
  return (
    <>
      <a className="skip" href="#contenu">
        Aller au contenu
      </a>
      <header className="top" role="banner">
        <Link href="/" className="brand">
          Vigie
        </Link>
        {session && (
          <nav aria-label="Menu principal">
            {BOARD_ROLES.includes(session.me.role) && <Link href="/tableau">Tableau</Link>}
            {LOOKUP_ROLES.includes(session.me.role) && <Link href="/recherche">Rechercher une fugue</Link>}
            {YOUTH_READERS.includes(session.me.role) && <Link href="/youths">Jeunes</Link>}
            {YOUTH_WRITERS.includes(session.me.role) && <Link href="/youths/new">Nouveau jeune</Link>}
            {STATISTICS_ROLES.includes(session.me.role) && <Link href="/statistiques">Statistiques</Link>}
            {session.me.role === 'admin' && <Link href="/administration">Administration</Link>}
            <span className="who">{session.me.displayName}</span>
            <button type="button" onClick={signOut} disabled={leaving}>
              Se déconnecter
            </button>
          </nav>
        )}
      </header>
      <main id="contenu" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
