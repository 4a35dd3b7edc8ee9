import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The departures of a foyer that left with peers, by foyer and departure time. An episode that
 * did not leave with peers is linked LEFT_TOGETHER (spec/links.md) only with one that did: its
 * link evaluation reads this index instead of every departure of the foyer within 2 h, which a
 * busy night in a large foyer (or a burst of declarations) makes many.
 * Persisted names: never rename the index; add a migration instead.
 */
export class PeersDepartureIndex1765700000000 implements MigrationInterface {
  name = 'PeersDepartureIndex1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX fugues_foyer_peers_departure_idx ON fugues (foyer_id, (coalesce(last_seen_at, noticed_missing_at))) WHERE departed_with = 'peers'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX fugues_foyer_peers_departure_idx`);
  }
}
