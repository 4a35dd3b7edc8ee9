import type { ReferentRole, StoredEscalationPolicy } from '@vigie/persistence';
import { DomainError, FieldProblem } from '../errors/domain-error';
import { checkPolicy, PolicyRole, rolesOf as rulesRolesOf, DEFAULT_POLICY as RULES_DEFAULT_POLICY, REFERENT_ROLE_LIST as RULE_ROLES } from './policy-rules';

export type EscalationPolicy = StoredEscalationPolicy;

export const REFERENT_ROLE_LIST: readonly ReferentRole[] = RULE_ROLES;
/** The rules' roles are the referents' roles, both ways (a role added to one only fails the type check). */
export const SAME_ROLES: ReferentRole extends PolicyRole ? true : never = true;

/** The policy of integrations.md, in force wherever a département has not set its own. */
export const DEFAULT_POLICY: EscalationPolicy = RULES_DEFAULT_POLICY;

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
 * Validates a policy given through the API (the rules of policy-rules.ts): the policy with only
 * its known fields, or a VALIDATION_FAILED naming every problem field by field.
 */
export function validatePolicy(input: unknown): EscalationPolicy {
  const { policy, problems } = checkPolicy(input);
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'The escalation policy is invalid', problems as FieldProblem[]);
  return policy;
}

/** Every role a policy names, in the order of REFERENT_ROLE_LIST. */
export function rolesOf(policy: EscalationPolicy): ReferentRole[] {
  return rulesRolesOf(policy);
}
