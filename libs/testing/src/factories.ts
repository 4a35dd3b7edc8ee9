import { randomUUID } from 'node:crypto';
import type { TestApp } from './test-app';
import { daytimeAtOrBefore, testNow } from './test-clock';

/** Fictitious identities only: clearly test values, never real-looking names. */
export const TEST_IDENTITY = { firstName: 'Testprenom', lastName: 'Testnom' };

export function bearer(key: string): Record<string, string> {
  return { Authorization: `Bearer ${key}` };
}

export async function makeFoyer(t: TestApp, overrides: Record<string, unknown> = {}): Promise<{ id: string; departmentCode: string }> {
  const res = await t.http
    .post('/v1/foyers')
    .set(bearer(t.adminKey))
    .send({ name: `Foyer ${randomUUID().slice(0, 8)}`, departmentCode: '75', kind: 'ase', ...overrides })
    .expect(201);
  return res.body;
}

export async function makeClient(
  t: TestApp,
  body: { role: string; foyerIds?: string[]; departmentCodes?: string[]; name?: string },
): Promise<{ id: string; key: string; inboundWebhookSecret?: string }> {
  const res = await t.http
    .post('/v1/api-clients')
    .set(bearer(t.adminKey))
    .send({ name: `${body.role} client`, ...body })
    .expect(201);
  return res.body;
}

/** A birth date that makes the youth `age` years old today (in Paris), born on 1 January or later. */
export function birthDateForAge(age: number, now = testNow()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear() - age - 1, now.getUTCMonth(), now.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 2);
  return d.toISOString().slice(0, 10);
}

export async function makeYouth(t: TestApp, key: string, foyerId: string, overrides: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await t.http
    .post('/v1/youths')
    .set(bearer(key))
    .send({ foyerId, ...TEST_IDENTITY, birthDate: birthDateForAge(16), sex: 'F', ...overrides });
  if (res.status !== 201) throw new Error(`makeYouth: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * The body of a declaration noticed a minute ago on the test clock. Unless the test gives one, its
 * `lastSeenAt` is daytime (see `daytimeAtOrBefore`): the local hour of departure is a fact a test
 * sets when it matters, never the hour the suite happens to run at.
 */
export function declarationBody(youthId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const noticedMissingAt = typeof overrides.noticedMissingAt === 'string' ? overrides.noticedMissingAt : new Date(testNow().getTime() - 60_000).toISOString();
  const lastSeenAt = 'lastSeenAt' in overrides ? overrides.lastSeenAt : daytimeAtOrBefore(new Date(noticedMissingAt)).toISOString();
  return { youthId, noticedMissingAt, ...overrides, lastSeenAt };
}

export async function declareFugue(t: TestApp, key: string, youthId: string, overrides: Record<string, unknown> = {}): Promise<{ id: string; status: string }> {
  const res = await t.http.post('/v1/fugues').set(bearer(key)).send(declarationBody(youthId, overrides));
  if (res.status !== 201) throw new Error(`declareFugue: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A foyer in `departmentCode`, a foyer client for it and one youth. */
export async function makeFoyerWithYouth(t: TestApp, departmentCode = '75', youth: Record<string, unknown> = {}) {
  const foyer = await makeFoyer(t, { departmentCode });
  const client = await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] });
  const created = await makeYouth(t, client.key, foyer.id, youth);
  return { foyer, foyerKey: client.key, youthId: created.id };
}
