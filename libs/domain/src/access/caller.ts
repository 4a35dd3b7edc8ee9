import type { FugueEntity, FugueScope, Role } from '@vigie/persistence';
import { DomainError } from '../errors/domain-error';

/**
 * Who is calling, as the API key or the person's session says. For a person, `clientId` is the
 * person's id too (idempotency keys, rate limits and recorded actors are per caller), and
 * `personId` is set.
 */
export interface Caller {
  clientId: string;
  personId?: string;
  role: Role;
  foyerIds: string[];
  departmentCodes: string[];
}

/** The scope rules of api.md, in one place: lists, reads and writes all go through them. */
export function fugueScope(caller: Caller): FugueScope {
  switch (caller.role) {
    case 'admin':
      return { foyerIds: null, departmentCodes: null, worryingOnly: false };
    case 'foyer':
      return { foyerIds: caller.foyerIds, departmentCodes: null, worryingOnly: false };
    case 'police':
    case 'child_protection':
      return { foyerIds: null, departmentCodes: caller.departmentCodes, worryingOnly: false };
    case 'hotline':
      return {
        foyerIds: null,
        departmentCodes: caller.departmentCodes.length > 0 ? caller.departmentCodes : null,
        worryingOnly: true,
      };
  }
}

export function canSeeFugue(caller: Caller, fugue: Pick<FugueEntity, 'foyerId' | 'departmentCode' | 'effectiveLevel'>): boolean {
  const scope = fugueScope(caller);
  if (scope.foyerIds && !scope.foyerIds.includes(fugue.foyerId)) return false;
  if (scope.departmentCodes && !scope.departmentCodes.includes(fugue.departmentCode)) return false;
  if (scope.worryingOnly && fugue.effectiveLevel !== 'worrying') return false;
  return true;
}

/**
 * Episodes a hotline may report on (inbound events): those of its départements, or all when it
 * has none, whatever their level — a call may be what makes a routine episode worrying.
 */
export function canReportOnFugue(caller: Caller, fugue: Pick<FugueEntity, 'departmentCode'>): boolean {
  return caller.role === 'hotline' && (caller.departmentCodes.length === 0 || caller.departmentCodes.includes(fugue.departmentCode));
}

/** A foyer's youths: the foyer role by foyer, département roles by the foyer's département. */
export function canSeeFoyer(caller: Caller, foyer: { id: string; departmentCode: string }): boolean {
  switch (caller.role) {
    case 'admin':
      return true;
    case 'foyer':
      return caller.foyerIds.includes(foyer.id);
    case 'police':
    case 'child_protection':
      return caller.departmentCodes.includes(foyer.departmentCode);
    case 'hotline':
      return false;
  }
}

/** 403 for a role that may never do this, whatever the object. */
export function requireRole(caller: Caller, allowed: readonly Role[]): void {
  if (!allowed.includes(caller.role)) throw DomainError.forbidden();
}
