import type { Fugue, Schemas } from '../api/client';
import { hiddenLinkSentence, linkReasonsSentence, plateWords } from '../connections';
import { LEVEL_LABELS } from '../labels';
import { Link } from '../router';
import { useSession } from '../session';

type EpisodeLink = Schemas['LinkResponse'];

/** The companions, vehicles and places told of the episode (spec/links.md § Structured facts). */
export function EpisodeConnections({ fugue, at }: { fugue: Fugue; at: (iso: string) => string }) {
  const { vocabularies, me } = useSession();
  const profiles = me.role !== 'hotline';
  const { companions, vehicles, places } = fugue.connections;
  if (companions.length + vehicles.length + places.length === 0) return null;
  const kind = (code: string) => vocabularies.placeKinds.find((k) => k.code === code)?.label ?? code;
  return (
    <section aria-labelledby="titre-connexions">
      <h2 id="titre-connexions">Compagnons, véhicules et lieux</h2>
      <dl className="facts">
        {companions.length > 0 && (
          <>
            <dt>Compagnons</dt>
            <dd>
              <ul className="plain">
                {companions.map((c, i) => (
                  <li key={i}>
                    {c.alias ?? (c.youthId || c.outsideScope ? 'Un jeune suivi par Vigie' : '—')}
                    {c.outsideScope ? ' (un jeune hors de votre périmètre)' : ''}
                    {c.youthId && profiles && (
                      <>
                        {' '}
                        (<Link href={`/youths/${c.youthId}`}>voir son profil</Link>)
                      </>
                    )}
                    {c.approximateAge !== null ? `, environ ${c.approximateAge} ans` : ''}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {vehicles.length > 0 && (
          <>
            <dt>Véhicules</dt>
            <dd>
              <ul className="plain">
                {vehicles.map((v, i) => (
                  <li key={i}>{[v.plate && `plaque ${plateWords(v.plate)}`, v.description].filter(Boolean).join(' — ')}</li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {places.length > 0 && (
          <>
            <dt>Lieux</dt>
            <dd>
              <ul className="plain">
                {places.map((p, i) => (
                  <li key={i}>
                    {[kind(p.kind), p.address, p.communeCode && `commune ${p.communeCode}`, p.at && `le ${at(p.at)}`].filter(Boolean).join(', ')}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

/**
 * The episode's links to other episodes, in words: why, and the other episode when the person may
 * see it; otherwise the reasons only (« Même véhicule qu’un autre épisode hors de votre périmètre »):
 * the link itself is the warning.
 */
export function EpisodeLinks({ links, at }: { links: EpisodeLink[]; at: (iso: string) => string }) {
  if (links.length === 0) return null;
  return (
    <section aria-labelledby="titre-liens" className="notice worrying-border">
      <h2 id="titre-liens">Liens avec d’autres fugues</h2>
      <LinkList links={links} at={at} />
    </section>
  );
}

/** One line per link (the episode page and the youth's history). */
export function LinkList({ links, at }: { links: EpisodeLink[]; at?: (iso: string) => string }) {
  const { vocabularies } = useSession();
  return (
    <ul className="links">
      {links.map((l, i) => {
        const sentence = linkReasonsSentence(l.reasons, vocabularies.linkReasons);
        const found = at ? ` Lien trouvé le ${at(l.foundAt)}.` : '';
        const cancelled = l.cancelled ? ' L’autre épisode a été annulé (déclaré par erreur).' : '';
        return (
          <li key={`${l.fugueId ?? 'hors'}-${i}`} className={l.cancelled ? 'cancelled' : undefined}>
            {l.fugueId ? (
              <>
                <strong>{sentence}</strong> : {l.sameFoyer ? 'un jeune du même foyer' : 'un jeune d’un autre foyer'} —{' '}
                <Link href={`/episodes/${l.fugueId}`}>voir l’autre fugue{l.cancelled ? ' (annulée)' : ''}</Link>
                {l.level && !l.cancelled ? ` (${LEVEL_LABELS[l.level].toLowerCase()})` : ''}.{cancelled}
                {found}
              </>
            ) : (
              <>
                <strong>{hiddenLinkSentence(l.reasons, vocabularies.linkReasons)}</strong>
                {l.sameFoyer ? ' Un jeune du même foyer.' : ''}
                {cancelled}
                {found}
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
