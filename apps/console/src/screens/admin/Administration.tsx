import { Link } from '../../router';
import { useSession } from '../../session';
import { useScreenTitle } from '../../ui/common';
import { ApiKeysScreen } from './ApiKeys';
import { AuditScreen } from './Audit';
import { DeliveriesScreen } from './Deliveries';
import { FoyersScreen } from './Foyers';
import { PeopleScreen } from './People';
import { PolicyScreen } from './Policy';
import { ReferentsScreen } from './Referents';

/** The administration screens, by address (under /administration), with what each is for. */
export const ADMIN_PAGES = [
  { path: 'personnes', title: 'Personnes', what: 'Qui se connecte à la console, avec quel rôle', screen: PeopleScreen },
  { path: 'foyers', title: 'Foyers', what: 'Nom, adresse et téléphone des foyers ; fermeture', screen: FoyersScreen },
  { path: 'referents', title: 'Référents', what: 'Qui les alertes préviennent, et comment', screen: ReferentsScreen },
  { path: 'politique', title: 'Politique d’escalade', what: 'Les étapes d’une alerte, par département', screen: PolicyScreen },
  { path: 'envois', title: 'Webhooks et envois échoués', what: 'Envois des webhooks, messages à renvoyer', screen: DeliveriesScreen },
  { path: 'cles', title: 'Clés d’API', what: 'Les systèmes qui appellent Vigie', screen: ApiKeysScreen },
  { path: 'journal', title: 'Journal d’audit', what: 'Qui a lu ou modifié quoi', screen: AuditScreen },
] as const;

/** /administration and its pages; admins only (the API refuses every other role anyway). */
export function AdministrationScreen({ page }: { page: string | null }) {
  const { me } = useSession();
  const found = ADMIN_PAGES.find((p) => p.path === page);
  if (me.role !== 'admin') {
    return (
      <>
        <h1>Administration</h1>
        <p>Ces pages sont réservées aux administrateurs.</p>
      </>
    );
  }
  return (
    <>
      <nav aria-label="Administration" className="admin-nav">
        <Link href="/administration" aria-current={page === null ? 'page' : undefined}>
          Administration
        </Link>
        {ADMIN_PAGES.map((p) => (
          <Link key={p.path} href={`/administration/${p.path}`} aria-current={p.path === page ? 'page' : undefined}>
            {p.title}
          </Link>
        ))}
      </nav>
      {found ? <found.screen /> : page === null ? <AdminHome /> : <p>Cette page d’administration n’existe pas.</p>}
    </>
  );
}

function AdminHome() {
  useScreenTitle('Administration');
  return (
    <>
      <h1>Administration</h1>
      <ul className="cards">
        {ADMIN_PAGES.map((p) => (
          <li key={p.path}>
            <Link href={`/administration/${p.path}`}>{p.title}</Link>
            <span className="line2">{p.what}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
