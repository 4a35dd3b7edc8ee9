/**
 * The rules of an escalation policy (integrations.md § Escalation policy), with no import: the API
 * validates the bodies it receives with them (escalation-policy.ts) and the console's policy
 * editor checks a draft with the very same ones before sending it, so that both report the same
 * problems on the same fields.
 */

export type PolicyRole = 'foyer_duty' | 'child_protection' | 'department_duty' | 'police' | 'prosecutor';

export interface PolicyShape {
  worrying: {
    steps: { afterSeconds: number; notify: string[] }[];
    repeatLastStepEverySeconds: number | null;
    maxRepeats: number;
  };
  routine: { notify: string[] };
  disclosure: { notify: string[] };
  overdueInterview: { notify: string[] };
}

/** One problem of a policy: the field (dotted path, as the API's error details name it) and what is wrong. */
export interface PolicyProblem {
  field: string;
  message: string;
}

export const REFERENT_ROLE_LIST: readonly PolicyRole[] = ['foyer_duty', 'child_protection', 'department_duty', 'police', 'prosecutor'];

/** The policy of integrations.md, in force wherever a département has not set its own. */
export const DEFAULT_POLICY: PolicyShape = Object.freeze({
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
}) as PolicyShape;

/**
 * Validates a policy given through the API: steps in strictly increasing `afterSeconds` from 0 up,
 * known roles, at least one step, no unknown field (api.md: unknown fields are a 400). Every
 * problem found, field by field, in the API's words; the policy is refused when there is one.
 */
export function checkPolicy(input: unknown): { policy: PolicyShape; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const p = (input ?? {}) as Record<string, unknown>;
  const roles = (value: unknown, field: string, required = true): PolicyRole[] => {
    if (!Array.isArray(value) || (required && value.length === 0) || value.length > REFERENT_ROLE_LIST.length) {
      problems.push({ field, message: `must be a list of 1 to 5 roles among ${REFERENT_ROLE_LIST.join(', ')}` });
      // Stryker disable next-line ArrayDeclaration: a problem was pushed, so the policy is refused and this list never seen
      return [];
    }
    const unknown = value.filter((r) => !REFERENT_ROLE_LIST.includes(r as PolicyRole));
    if (unknown.length > 0) problems.push({ field, message: `unknown role; allowed: ${REFERENT_ROLE_LIST.join(', ')}` });
    if (new Set(value).size !== value.length) problems.push({ field, message: 'must not repeat a role' });
    return value as PolicyRole[];
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
  const policy: PolicyShape = {
    worrying: { steps, repeatLastStepEverySeconds: repeatEvery, maxRepeats },
    routine: group('routine'),
    disclosure: group('disclosure'),
    overdueInterview: group('overdueInterview'),
  };
  return { policy, problems };
}


/** Every role a policy names, in the order of REFERENT_ROLE_LIST. */
export function rolesOf(policy: PolicyShape): PolicyRole[] {
  const all = [
    ...policy.worrying.steps.flatMap((s) => s.notify),
    ...policy.routine.notify,
    ...policy.disclosure.notify,
    ...policy.overdueInterview.notify,
  ];
  return REFERENT_ROLE_LIST.filter((r) => all.includes(r));
}

/** A referent as coverage needs it: reachable when it has a channel. */
export interface CoverageReferent {
  role: string;
  foyerId: string | null;
  channels: readonly unknown[];
}

/** A foyer of the département as coverage needs it; a closed one needs no duty. */
export interface CoverageFoyer {
  id: string;
  closedAt?: Date | string | null;
}

/**
 * Who a policy would leave without anyone to tell, given the referents and foyers of its
 * département: the roles it names that no reachable referent covers, and, when it names
 * foyer_duty, the open foyers with no reachable foyer_duty referent of their own.
 */
export function coverage(policy: PolicyShape, referents: readonly CoverageReferent[], foyers: readonly CoverageFoyer[]): { uncoveredRoles: PolicyRole[]; foyersWithoutDuty: string[] } {
  const reachable = referents.filter((r) => r.channels.length > 0);
  const roles = rolesOf(policy);
  const uncoveredRoles = roles.filter((role) => !reachable.some((r) => r.role === role));
  if (!roles.includes('foyer_duty')) return { uncoveredRoles, foyersWithoutDuty: [] };
  const covered = new Set(reachable.filter((r) => r.role === 'foyer_duty').map((r) => r.foyerId));
  return { uncoveredRoles, foyersWithoutDuty: foyers.filter((f) => !f.closedAt && !covered.has(f.id)).map((f) => f.id) };
}
