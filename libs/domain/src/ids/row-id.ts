import { v7 } from 'uuid';

/**
 * The id of a new row the service chooses itself (an episode, a connection, a youth, a client…):
 * a time-ordered UUID (version 7, RFC 9562: milliseconds of Unix time, then 74 random bits).
 * New ids sort after older ones, so a table's primary-key index and the indexes keyed by such an
 * id (a connection's episode, an episode's youth) take new entries on their last pages instead
 * of random ones across the whole index: on a table of a million episodes, the pages a
 * declaration writes stay the same few, in memory (docs/performance.md § Links stay flat).
 * The id tells when the row was created, to the millisecond, which the rows say anyway
 * (`createdAt`); it carries nothing else.
 */
export function newRowId(): string {
  return v7();
}
