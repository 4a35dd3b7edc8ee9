import { Link } from '../router';
import { useScreenTitle } from '../ui/common';

export function YouthList() {
  useScreenTitle('Jeunes du foyer');
  return (
    <>
      <h1>Jeunes du foyer</h1>
      <Link className="button primary" href="/youths/new">
        Nouveau jeune
      </Link>
    </>
  );
}
