import type { ReferentRole, StoredEscalationPolicy } from '@vigie/persistence';
import { DomainError, FieldProblem } from '../errors/domain-error';

export type EscalationPolicy = StoredEscalationPolicy;

export const REFERENT_ROLE_LIST: readonly ReferentRole[] = ['foyer_duty', 'child_protection', 'department_duty', 'police', 'prosecutor'];

/** The policy of integrations.md, in force wherever a département has not set its own. */
export const DEFAULT_POLICY: EscalationPolicy = Object.freeze({
  worrying: {
    steps: [
      { afterSeconds: 0, notify: ['foyer_duty', 'child_protection', 'police'] },
      { afterSeconds: 900, notify: ['department_duty', 'police'] },
      { afterSeconds: 2700, notify: ['prosecutor', 'department_duty'] },
    ],
    repeatLastStepEverySeconds: 1800,
    maxRepeats: 3,
  },
  routine: { notify: ['foyer_duty'] },
  disclosure: { notify: ['prosecutor', 'police', 'child_protection'] },
  overdueInterview: { notify: ['child_protection', 'foyer_duty'] },
}) as EscalationPolicy;

export interface ScheduledStep {
  /** 0-based; steps past the last configured one are its repeats. */
  step: number;
  roles: ReferentRole[];
  at: Date;
  repeat: boolean;
}

/** When step `step` fires and whom it notifies, or null when the escalation is over. */
export function scheduledStep(policy: EscalationPolicy, openedAt: Date, step: number): ScheduledStep | null {
  const { steps, repeatLastStepEverySeconds, maxRepeats } = policy.worrying;
  if (step < steps.length) {
    return { step, roles: steps[step].notify as ReferentRole[], at: new Date(openedAt.getTime() + steps[step].afterSeconds * 1000), repeat: false };
  }
  const repeat = step - steps.length + 1;
  if (!repeatLastStepEverySeconds || repeat > maxRepeats) return null;
  const last = steps[steps.length - 1];
  return {
    step,
    roles: last.notify as ReferentRole[],
    at: new Date(openedAt.getTime() + (last.afterSeconds + repeat * repeatLastStepEverySeconds) * 1000),
    repeat: true,
  };
}

/**
 * Validates a policy given through the API: steps in strictly increasing `afterSeconds` from 0 up,
 * known roles, at least one step, no unknown field (api.md: unknown fields are a 400).
 */
export function validatePolicy(input: unknown): EscalationPolicy {
  const problems: FieldProblem[] = [];
  const p = (input ?? {}) as Record<string, unknown>;
  const roles = (value: unknown, field: string, required = true): ReferentRole[] => {
    if (!Array.isArray(value) || (required && value.length === 0) || value.length > REFERENT_ROLE_LIST.length) {
      problems.push({ field, message: `must be a list of 1 to 5 roles among ${REFERENT_ROLE_LIST.join(', ')}` });
      // Stryker disable next-line ArrayDeclaration: a problem was pushed, so the policy is refused and this list never seen
      return [];
    }
    const unknown = value.filter((r) => !REFERENT_ROLE_LIST.includes(r as ReferentRole));
    if (unknown.length > 0) problems.push({ field, message: `unknown role; allowed: ${REFERENT_ROLE_LIST.join(', ')}` });
    if (new Set(value).size !== value.length) problems.push({ field, message: 'must not repeat a role' });
    return value as ReferentRole[];
  };
  const group = (key: 'routine' | 'disclosure' | 'overdueInterview') => {
    const value = p[key] as Record<string, unknown> | undefined;
    if (value === undefined) return { notify: [...DEFAULT_POLICY[key].notify] };
    if (typeof value !== 'object' || value === null) {
      problems.push({ field: key, message: 'must be an object { notify: [...] }' });
      // Stryker disable next-line ObjectLiteral,ArrayDeclaration: a problem was pushed, so the policy is refused and this group never seen
      return { notify: [] };
    }
    const extra = Object.keys(value).filter((k) => k !== 'notify');
    if (extra.length) problems.push({ field: `${key}.${extra[0]}`, message: 'is not a known field' });
    return { notify: roles(value.notify, `${key}.notify`) };
  };

  const worrying = (p.worrying ?? null) as Record<string, unknown> | null;
  const steps: { afterSeconds: number; notify: string[] }[] = [];
  let repeatEvery: number | null = null;
  let maxRepeats = 0;
  if (!worrying || typeof worrying !== 'object') {
    problems.push({ field: 'worrying', message: 'is required: { steps: [...], repeatLastStepEverySeconds?, maxRepeats? }' });
  } else {
    if (!Array.isArray(worrying.steps) || worrying.steps.length === 0 || worrying.steps.length > 20) {
      problems.push({ field: 'worrying.steps', message: 'must have 1 to 20 steps' });
    } else {
      worrying.steps.forEach((raw, i) => {
        const s = (raw ?? {}) as Record<string, unknown>;
        const after = s.afterSeconds;
        if (!Number.isInteger(after) || (after as number) < 0 || (after as number) > 7 * 24 * 3600) {
          problems.push({ field: `worrying.steps.${i}.afterSeconds`, message: 'must be a whole number of seconds from 0 to 604800' });
        } else if (
          // Stryker disable next-line ConditionalExpression,EqualityOperator,OptionalChaining: for the first step steps[-1] is undefined and the comparison false; every later one has a previous step
          i > 0 && (after as number) <= steps[i - 1]?.afterSeconds
        ) {
          problems.push({ field: `worrying.steps.${i}.afterSeconds`, message: 'must be greater than the previous step' });
        }
        const extra = Object.keys(s).filter((k) => !['afterSeconds', 'notify'].includes(k));
        if (extra.length) problems.push({ field: `worrying.steps.${i}.${extra[0]}`, message: 'is not a known field' });
        steps.push({ afterSeconds: after as number, notify: roles(s.notify, `worrying.steps.${i}.notify`) });
      });
    }
    if (worrying.repeatLastStepEverySeconds !== undefined && worrying.repeatLastStepEverySeconds !== null) {
      const r = worrying.repeatLastStepEverySeconds;
      if (!Number.isInteger(r) || (r as number) < 1 || (r as number) > 7 * 24 * 3600) {
        problems.push({ field: 'worrying.repeatLastStepEverySeconds', message: 'must be a whole number of seconds from 1 to 604800, or null' });
      } else repeatEvery = r as number;
    }
    if (worrying.maxRepeats !== undefined) {
      const m = worrying.maxRepeats;
      if (!Number.isInteger(m) || (m as number) < 0 || (m as number) > 100) problems.push({ field: 'worrying.maxRepeats', message: 'must be a whole number from 0 to 100' });
      else maxRepeats = m as number;
    }
    const extra = Object.keys(worrying).filter((k) => !['steps', 'repeatLastStepEverySeconds', 'maxRepeats'].includes(k));
    if (extra.length) problems.push({ field: `worrying.${extra[0]}`, message: 'is not a known field' });
  }
  const extra = Object.keys(p).filter((k) => !['worrying', 'routine', 'disclosure', 'overdueInterview'].includes(k));
  if (extra.length) problems.push({ field: extra[0], message: 'is not a known field' });
  const policy: EscalationPolicy = {
    worrying: { steps, repeatLastStepEverySeconds: repeatEvery, maxRepeats },
    routine: group('routine'),
    disclosure: group('disclosure'),
    overdueInterview: group('overdueInterview'),
  };
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'The escalation policy is invalid', problems);
  return policy;
}

/** Every role a policy names. */
export function rolesOf(policy: EscalationPolicy): ReferentRole[] {
  const all = [
    ...policy.worrying.steps.flatMap((s) => s.notify),
    ...policy.routine.notify,
    ...policy.disclosure.notify,
    ...policy.overdueInterview.notify,
  ] as ReferentRole[];
  return REFERENT_ROLE_LIST.filter((r) => all.includes(r));
}
