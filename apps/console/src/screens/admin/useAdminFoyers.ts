import { useEffect, useState } from 'react';
import { api, must } from '../../api/client';
import type { Foyer } from '../../session';

/** Administration dates are read in Paris time: an administrator's work spans départements. */
export const TIME_ZONE = 'Europe/Paris';

/** Every foyer, open or closed, read afresh (the session's list was read at sign-in); null while loading. */
export function useAdminFoyers(tick = 0): Foyer[] | null {
  const [foyers, setFoyers] = useState<Foyer[] | null>(null);
  useEffect(() => {
    let live = true;
    (async () => {
      const all: Foyer[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Foyer[]; nextCursor: string | null } = await must(api.GET('/v1/foyers', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }));
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && all.length < 2000);
      if (live) setFoyers(all);
    })().catch(() => live && setFoyers([]));
    return () => {
      live = false;
    };
  }, [tick]);
  return foyers;
}
