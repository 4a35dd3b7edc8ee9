import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The age band of a youth at an episode (under_13, 13_14, 15_17, 18_plus), written by retention
 * from the birth date just before it erases the identity, so that the statistics' breakdown by
 * age stays the same afterwards. Null while the identity is there (the statistics read the birth
 * date then). Persisted names: never rename a table or column; add a migration instead.
 */
export class FugueAgeBand1765450000000 implements MigrationInterface {
  name = 'FugueAgeBand1765450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE fugues ADD COLUMN age_band text`);
    await q.query(`ALTER TABLE fugues ADD CONSTRAINT fugues_age_band_check CHECK (age_band IN ('under_13', '13_14', '15_17', '18_plus'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE fugues DROP COLUMN age_band`);
  }
}
