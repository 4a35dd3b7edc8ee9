import type { components } from './api/schema';

type Schemas = components['schemas'];

/**
 * The 116 000's lookup of an episode from what a caller says (POST /v1/hotline/lookup), and the
 * episodes it found, kept in memory only (never stored) so that the report page can say which one
 * it is. Pure functions: the console's unit tests run them under Node.
 */
export type LookupBody = Schemas['HotlineLookupDto'];
export type LookupMatch = Schemas['HotlineMatchResponse'];

export interface LookupForm {
  firstName: string;
  age: string;
  departmentCode: string;
  place: string;
}

/** The body of the lookup: what was written, trimmed; null when nothing was (the API wants one criterion). */
export function lookupBody(form: LookupForm): LookupBody | null {
  const age = form.age.trim();
  const body: LookupBody = {
    ...(form.firstName.trim() ? { firstName: form.firstName.trim() } : {}),
    // Not a whole number: sent as written, the API's refusal is shown at the field.
    ...(age ? { approximateAge: /^\d+$/.test(age) ? Number(age) : (age as unknown as number) } : {}),
    ...(form.departmentCode ? { departmentCode: form.departmentCode } : {}),
    ...(form.place.trim() ? { place: form.place.trim() } : {}),
  };
  return Object.keys(body).length ? body : null;
}

/** « 2 fugues en cours correspondent » : the result, said to a screen reader. */
export function lookupAnnouncement(count: number, max = 20): string {
  if (count === 0) return 'Aucune fugue en cours ne correspond : vérifiez l’orthographe du prénom, ou élargissez la recherche (âge, département).';
  if (count === 1) return 'Une fugue en cours correspond.';
  return `${count} fugues en cours correspondent${count >= max ? ` (les ${max} premières : précisez la recherche)` : ''}.`;
}

const remembered = new Map<string, LookupMatch>();

/** Keeps the episodes a lookup found, for the report page (in memory: a reload forgets them). */
export function rememberMatches(matches: readonly LookupMatch[]): void {
  for (const m of matches) remembered.set(m.fugueId, m);
}

export function rememberedMatch(fugueId: string): LookupMatch | undefined {
  return remembered.get(fugueId);
}
