import { createContext, useContext } from 'react';
import type { Me, Schemas } from './api/client';

export type Foyer = Schemas['FoyerResponse'];
export type Department = Schemas['DepartmentResponse'];

/** Who is signed in, and the reference data every screen needs; in memory only, never stored. */
export interface Session {
  me: Me;
  foyers: Foyer[];
  departments: Department[];
  vocabularies: Schemas['VocabulariesResponse'];
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('No session');
  return session;
}

/** The IANA time zone of a département (Europe/Paris when unknown). */
export function useTimeZone(departmentCode: string | undefined | null): string {
  const { departments } = useSession();
  return departments.find((d) => d.code === departmentCode)?.timeZone ?? 'Europe/Paris';
}

export function foyerDepartment(session: Session, foyerId: string | undefined | null): string | undefined {
  return session.foyers.find((f) => f.id === foyerId)?.departmentCode;
}
