import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { PeopleRepository, Person } from '@vigie/persistence';
import { Caller } from '../access/caller';
import { Clock } from '../clock/clock';

/** A session ends 12 h after sign-in whatever its activity. */
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;

export interface SessionCaller {
  caller: Caller;
  person: Person;
  csrfToken: string;
}

export interface NewSession {
  /** The cookie's value: shown to the browser once, only its hash is stored. */
  sessionId: string;
  expiresAt: Date;
}

/** SHA-256 of a secret that is stored by hash only (session ids, sign-in tokens), hex. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * People's sessions, stored in PostgreSQL by the hash of their id: a session ends after
 * VIGIE_SESSION_IDLE_MINUTES without a request, 12 h after sign-in, at logout, or when its person
 * is deactivated, whichever comes first.
 */
@Injectable()
export class SessionService {
  private readonly idleMs: number;

  constructor(
    config: VigieConfig,
    private readonly people: PeopleRepository,
    private readonly clock: Clock,
  ) {
    this.idleMs = config.VIGIE_SESSION_IDLE_MINUTES * 60_000;
  }

  async start(personId: string): Promise<NewSession> {
    const now = this.clock.now();
    const sessionId = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
    await this.people.createSession(hashSecret(sessionId), personId, randomBytes(32).toString('base64url'), now, expiresAt);
    return { sessionId, expiresAt };
  }

  /** The caller of a live session (and the session is touched), or null. */
  async authenticate(sessionId: string): Promise<SessionCaller | null> {
    if (!SESSION_ID.test(sessionId)) return null;
    const session = await this.people.touchSession(hashSecret(sessionId), this.clock.now(), this.idleMs);
    if (!session) return null;
    const { person } = session;
    return {
      caller: { clientId: person.id, personId: person.id, role: person.role, foyerIds: person.foyerIds, departmentCodes: person.departmentCodes },
      person,
      csrfToken: session.csrfToken,
    };
  }

  /** The caller of a session still valid, without extending it (see PeopleRepository.findLiveSessionPerson). */
  async check(sessionId: string): Promise<Caller | null> {
    if (!SESSION_ID.test(sessionId)) return null;
    const person = await this.people.findLiveSessionPerson(hashSecret(sessionId), this.clock.now(), this.idleMs);
    return person ? { clientId: person.id, personId: person.id, role: person.role, foyerIds: person.foyerIds, departmentCodes: person.departmentCodes } : null;
  }

  async end(sessionId: string): Promise<void> {
    if (!SESSION_ID.test(sessionId)) return;
    await this.people.endSession(hashSecret(sessionId), this.clock.now());
  }
}
