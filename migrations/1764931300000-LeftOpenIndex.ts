import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Serves the worker's search for episodes left `returned` or `located` past
 * VIGIE_AUTO_CLOSE_AFTER_DAYS (FugueRepository.findLeftOpenSince). Partial: only those episodes.
 */
export class LeftOpenIndex1764931300000 implements MigrationInterface {
  name = 'LeftOpenIndex1764931300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX fugues_left_open_idx ON fugues ((coalesce(returned_at, located_at)), id) WHERE status IN ('returned', 'located')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX fugues_left_open_idx`);
  }
}
