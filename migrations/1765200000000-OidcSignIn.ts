import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OpenID Connect sign-ins in progress: the state, nonce and PKCE verifier of each, keyed by the
 * hash of the random id its browser holds in a short-lived cookie. Used once, valid 10 minutes.
 * Persisted names: never rename a table or column; add a migration instead.
 */
export class OidcSignIn1765200000000 implements MigrationInterface {
  name = 'OidcSignIn1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_sign_in_attempts (
        id_hash text PRIMARY KEY,
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        next_path text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )
    `);
    await q.query(`CREATE INDEX oidc_sign_in_attempts_expiry_idx ON oidc_sign_in_attempts (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oidc_sign_in_attempts`);
  }
}
