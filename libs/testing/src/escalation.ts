import type { TestApp } from './test-app';
import { bearer } from './factories';

/** The roles a referent can hold and an escalation step can notify. */
export type ReferentRole = 'foyer_duty' | 'child_protection' | 'department_duty' | 'police' | 'prosecutor';

/** One channel of a referent, as POST /v1/referents takes it. */
export type ReferentChannel = { type: 'email'; address: string } | { type: 'sms'; phone: string } | { type: 'webhook'; url: string };

/** One step of a worrying-episode escalation policy. */
export interface EscalationStep {
  afterSeconds: number;
  notify: ReferentRole[];
}

export interface ReferentInput {
  departmentCode: string;
  role: ReferentRole;
  channels: ReferentChannel[];
  /** 'Référent test' unless given. */
  displayName?: string;
  /** The foyer of a foyer_duty referent. */
  foyerId?: string;
  /** The API client the referent acknowledges through. */
  apiClientId?: string;
}

/** Creates a referent with the admin key (expects 201); returns its id and, for a webhook channel, its signing secret. */
export async function makeReferent(t: TestApp, input: ReferentInput): Promise<{ id: string; webhookSecret?: string }> {
  const res = await t.http
    .post('/v1/referents')
    .set(bearer(t.adminKey))
    .send({ displayName: 'Référent test', ...input })
    .expect(201);
  return res.body;
}

/** Sets the worrying-episode policy of a département with the admin key (expects 200); returns the roles it leaves uncovered. */
export async function putEscalationPolicy(
  t: TestApp,
  departmentCode: string,
  steps: EscalationStep[],
  repeatLastStepEverySeconds: number | null = null,
): Promise<{ uncoveredRoles: string[] }> {
  const res = await t.http
    .put(`/v1/departments/${departmentCode}/escalation-policy`)
    .set(bearer(t.adminKey))
    .send({ worrying: { steps, repeatLastStepEverySeconds } })
    .expect(200);
  return res.body;
}
