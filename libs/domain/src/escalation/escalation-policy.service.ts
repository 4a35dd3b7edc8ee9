import { Injectable } from '@nestjs/common';
import { DepartmentRepository, EscalationPolicyRepository, FoyerRepository, ReferentRepository } from '@vigie/persistence';
import { Caller, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import type { PolicyRole } from './policy-rules';
import { DEFAULT_POLICY, EscalationPolicy, rolesOf, validatePolicy } from './escalation-policy';
import { coverage } from './policy-rules';

export interface PolicyInForce {
  departmentCode: string;
  policy: EscalationPolicy;
  isDefault: boolean;
  updatedAt: Date | null;
  /** Roles the policy names that no reachable referent (one with a channel) covers. */
  uncoveredRoles: PolicyRole[];
  /** Open foyers of the département with no reachable foyer_duty referent, when the policy names that role. */
  foyersWithoutDuty: string[];
}

@Injectable()
export class EscalationPolicyService {
  constructor(
    private readonly policies: EscalationPolicyRepository,
    private readonly departments: DepartmentRepository,
    private readonly referents: ReferentRepository,
    private readonly foyers: FoyerRepository,
  ) {}

  async getPolicy(caller: Caller, departmentCode: string): Promise<PolicyInForce> {
    requireRole(caller, ['admin', 'police', 'child_protection']);
    await this.department(departmentCode);
    if (caller.role !== 'admin' && !caller.departmentCodes.includes(departmentCode)) throw DomainError.notFound('Département');
    const stored = await this.policies.find(departmentCode);
    return this.withCoverage(departmentCode, stored?.policy ?? DEFAULT_POLICY, !stored, stored?.updatedAt ?? null);
  }

  /** Replaces the département's policy; alerts already running keep the policy they opened with. */
  async putPolicy(caller: Caller, departmentCode: string, body: unknown): Promise<PolicyInForce> {
    requireRole(caller, ['admin']);
    await this.department(departmentCode);
    const policy = validatePolicy(body);
    const saved = await this.policies.upsert(departmentCode, policy, caller.clientId);
    return this.withCoverage(departmentCode, saved.policy, false, saved.updatedAt);
  }

  private async department(code: string): Promise<void> {
    if (!(await this.departments.findByCode(code))) throw DomainError.notFound('Département');
  }

  private async withCoverage(departmentCode: string, policy: EscalationPolicy, isDefault: boolean, updatedAt: Date | null): Promise<PolicyInForce> {
    const reachable = await this.referents.findReachableInDepartment(departmentCode);
    const foyers = rolesOf(policy).includes('foyer_duty') ? (await this.foyers.list({ departmentCodes: [departmentCode] }, 1000, null)).items : [];
    const { uncoveredRoles, foyersWithoutDuty } = coverage(policy, reachable, foyers);
    return { departmentCode, policy, isDefault, updatedAt, uncoveredRoles, foyersWithoutDuty };
  }
}
