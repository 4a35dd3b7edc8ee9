import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an administrator keeps up to date about a foyer from the console: its postal address, and
 * when it closed (null while open). A closed foyer stays, with its youths' history, but takes no
 * new youth and is no longer counted among the foyers an escalation policy must cover (see
 * docs/decisions.md § Closing a foyer). Persisted names: never rename a table or column; add a
 * migration instead.
 */
export class FoyerAdministration1765500000000 implements MigrationInterface {
  name = 'FoyerAdministration1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE foyers ADD COLUMN address text`);
    await q.query(`ALTER TABLE foyers ADD COLUMN closed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE foyers DROP COLUMN closed_at`);
    await q.query(`ALTER TABLE foyers DROP COLUMN address`);
  }
}
