import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../entities/api-client.entity';
import { cursorTimeSql, decodeCursor, encodeCursor, Page } from './pagination';
import { rowsOf } from './raw-rows';

/** What an OpenID Connect sign-in in progress must find again at its callback. */
export interface OidcAttempt {
  state: string;
  nonce: string;
  codeVerifier: string;
  nextPath: string;
}

/** A human who signs in (API keys stay for systems). */
export interface Person {
  id: string;
  displayName: string;
  email: string;
  role: Role;
  foyerIds: string[];
  departmentCodes: string[];
  createdAt: Date;
  deactivatedAt: Date | null;
}

export interface PersonSession {
  personId: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

interface PersonRow {
  id: string;
  display_name: string;
  email: string;
  role: Role;
  foyer_ids: string[];
  department_codes: string[];
  created_at: Date;
  deactivated_at: Date | null;
}

const COLUMNS = 'id, display_name, email, role, foyer_ids, department_codes, created_at, deactivated_at';

const toPerson = (r: PersonRow): Person => ({
  id: r.id,
  displayName: r.display_name,
  email: r.email,
  role: r.role,
  foyerIds: r.foyer_ids,
  departmentCodes: r.department_codes,
  createdAt: r.created_at,
  deactivatedAt: r.deactivated_at,
});

/** Unique violation on the active e-mail index. */
export class EmailTakenError extends Error {}

const isEmailTaken = (error: unknown): boolean => {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e?.driverError?.code ?? e?.code;
  const constraint = e?.driverError?.constraint ?? e?.constraint;
  return code === '23505' && constraint === 'people_email_unique';
};

/** People, their sessions and their sign-in links, in plain SQL. */
@Injectable()
export class PeopleRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(input: Omit<Person, 'id' | 'createdAt' | 'deactivatedAt'>): Promise<Person> {
    try {
      const rows: PersonRow[] = await this.dataSource.query(
        `INSERT INTO people (display_name, email, role, foyer_ids, department_codes) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [input.displayName, input.email, input.role, input.foyerIds, input.departmentCodes],
      );
      return toPerson(rows[0]);
    } catch (error) {
      if (isEmailTaken(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async update(id: string, input: Omit<Person, 'id' | 'createdAt' | 'deactivatedAt'>): Promise<Person | null> {
    try {
      const rows = rowsOf<PersonRow>(await this.dataSource.query(
        `UPDATE people SET display_name = $2, email = $3, role = $4, foyer_ids = $5, department_codes = $6
          WHERE id = $1 AND deactivated_at IS NULL RETURNING ${COLUMNS}`,
        [id, input.displayName, input.email, input.role, input.foyerIds, input.departmentCodes],
      ));
      return rows[0] ? toPerson(rows[0]) : null;
    } catch (error) {
      if (isEmailTaken(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async findById(id: string): Promise<Person | null> {
    const rows: PersonRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM people WHERE id = $1`, [id]);
    return rows[0] ? toPerson(rows[0]) : null;
  }

  async findActiveByEmail(email: string): Promise<Person | null> {
    const rows: PersonRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM people WHERE lower(email) = lower($1) AND deactivated_at IS NULL`, [email]);
    return rows[0] ? toPerson(rows[0]) : null;
  }

  async list(limit: number, cursor: string | null): Promise<Page<Person>> {
    const params: unknown[] = [limit + 1];
    let where = '';
    if (cursor) {
      const { at, id } = decodeCursor(cursor);
      params.push(at, id);
      where = 'WHERE (created_at, id) < ($2::timestamptz, $3::uuid)';
    }
    const rows: (PersonRow & { cursor_at: string })[] = await this.dataSource.query(
      `SELECT ${COLUMNS}, ${cursorTimeSql('created_at')} AS cursor_at FROM people ${where} ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toPerson), nextCursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null };
  }

  /** Deactivates a person and ends all their sessions and unused links, in one transaction. */
  async deactivate(id: string, now: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const rows = rowsOf<{ id: string }>(await manager.query(`UPDATE people SET deactivated_at = $2 WHERE id = $1 AND deactivated_at IS NULL RETURNING id`, [id, now]));
      if (rows.length === 0) return false;
      await manager.query(`UPDATE person_sessions SET ended_at = $2 WHERE person_id = $1 AND ended_at IS NULL`, [id, now]);
      await manager.query(`UPDATE sign_in_links SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL`, [id, now]);
      return true;
    });
  }

  /** Makes the bootstrap e-mail an active admin person (idempotent across restarts and processes). */
  async ensureAdmin(email: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO people (display_name, email, role)
       SELECT 'Administrateur', $1, 'admin'
       WHERE NOT EXISTS (SELECT 1 FROM people WHERE lower(email) = lower($1) AND deactivated_at IS NULL)
       ON CONFLICT DO NOTHING`,
      [email],
    );
  }

  async createSession(idHash: string, personId: string, csrfToken: string, now: Date, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO person_sessions (id_hash, person_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)`,
      [idHash, personId, csrfToken, now, expiresAt],
    );
  }

  /**
   * The live session of an active person, touched: not ended, not past its absolute expiry and
   * seen within `idleMs`. One statement, so that a request racing a deactivation cannot pass.
   */
  async touchSession(idHash: string, now: Date, idleMs: number): Promise<(PersonSession & { person: Person }) | null> {
    // A session found expired ends for good: no later request (or clock) revives it.
    await this.dataSource.query(
      `UPDATE person_sessions SET ended_at = $2
        WHERE id_hash = $1 AND ended_at IS NULL AND (expires_at <= $2 OR last_seen_at <= $2::timestamptz - ($3 * interval '1 millisecond'))`,
      [idHash, now, idleMs],
    );
    const rows = rowsOf<PersonRow & { csrf_token: string; s_created_at: Date; last_seen_at: Date; expires_at: Date }>(await this.dataSource.query(
      `UPDATE person_sessions s SET last_seen_at = GREATEST(s.last_seen_at, $2)
         FROM people p
        WHERE s.id_hash = $1 AND p.id = s.person_id AND s.ended_at IS NULL AND p.deactivated_at IS NULL
          AND s.expires_at > $2 AND s.last_seen_at > $2::timestamptz - ($3 * interval '1 millisecond')
        RETURNING p.id, p.display_name, p.email, p.role, p.foyer_ids, p.department_codes, p.created_at, p.deactivated_at,
                  s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at`,
      [idHash, now, idleMs],
    ));
    const row = rows[0];
    if (!row) return null;
    return { personId: row.id, csrfToken: row.csrf_token, createdAt: row.s_created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at, person: toPerson(row) };
  }

  /**
   * The person of a session still valid at `now`, without counting this as the person's activity
   * (a live stream checking its caller must not keep an unattended session alive).
   */
  async findLiveSessionPerson(idHash: string, now: Date, idleMs: number): Promise<Person | null> {
    const rows = rowsOf<PersonRow>(await this.dataSource.query(
      `SELECT p.id, p.display_name, p.email, p.role, p.foyer_ids, p.department_codes, p.created_at, p.deactivated_at
         FROM person_sessions s JOIN people p ON p.id = s.person_id
        WHERE s.id_hash = $1 AND s.ended_at IS NULL AND p.deactivated_at IS NULL
          AND s.expires_at > $2 AND s.last_seen_at > $2::timestamptz - ($3 * interval '1 millisecond')`,
      [idHash, now, idleMs],
    ));
    return rows[0] ? toPerson(rows[0]) : null;
  }

  async endSession(idHash: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE person_sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL`, [idHash, now]);
  }

  async createSignInLink(tokenHash: string, personId: string, nextPath: string, now: Date, expiresAt: Date): Promise<void> {
    await this.dataSource.query(`INSERT INTO sign_in_links (token_hash, person_id, next_path, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      tokenHash,
      personId,
      nextPath,
      now,
      expiresAt,
    ]);
  }

  /** A link that is unused, unexpired and whose person is active (read only: GET changes nothing). */
  async peekSignInLink(tokenHash: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM sign_in_links l JOIN people p ON p.id = l.person_id
        WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND p.deactivated_at IS NULL`,
      [tokenHash, now],
    );
    return rows.length > 0;
  }

  /** Uses a link once: the first caller gets its person and next path, every later one null. */
  async consumeSignInLink(tokenHash: string, now: Date): Promise<{ personId: string; nextPath: string } | null> {
    const rows = rowsOf<{ person_id: string; next_path: string }>(await this.dataSource.query(
      `UPDATE sign_in_links l SET used_at = $2 FROM people p
        WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND p.id = l.person_id AND p.deactivated_at IS NULL
        RETURNING l.person_id, l.next_path`,
      [tokenHash, now],
    ));
    return rows[0] ? { personId: rows[0].person_id, nextPath: rows[0].next_path } : null;
  }

  /**
   * Keeps an OpenID Connect sign-in in progress; attempts expired for a day are deleted on the
   * way, so the table holds only the last day's.
   */
  async createOidcAttempt(idHash: string, attempt: OidcAttempt, now: Date, expiresAt: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM oidc_sign_in_attempts WHERE expires_at < $1::timestamptz - interval '1 day'`, [now]);
    await this.dataSource.query(
      `INSERT INTO oidc_sign_in_attempts (id_hash, state, nonce, code_verifier, next_path, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [idHash, attempt.state, attempt.nonce, attempt.codeVerifier, attempt.nextPath, now, expiresAt],
    );
  }

  /** Uses an attempt once: the first caller gets it (if unexpired), every later one null. */
  async consumeOidcAttempt(idHash: string, now: Date): Promise<OidcAttempt | null> {
    const rows = rowsOf<{ state: string; nonce: string; code_verifier: string; next_path: string }>(await this.dataSource.query(
      `UPDATE oidc_sign_in_attempts SET used_at = $2 WHERE id_hash = $1 AND used_at IS NULL AND expires_at > $2
        RETURNING state, nonce, code_verifier, next_path`,
      [idHash, now],
    ));
    const row = rows[0];
    return row ? { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, nextPath: row.next_path } : null;
  }
}
