import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EscalationPolicyEntity, StoredEscalationPolicy } from '../entities/escalation-policy.entity';
import { preparedQuery } from './prepared';
import { columnList, entityFromRow } from './raw-rows';

@Injectable()
export class EscalationPolicyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(departmentCode: string, manager: EntityManager = this.dataSource.manager): Promise<EscalationPolicyEntity | null> {
    const rows = await preparedQuery<Record<string, unknown>>(
      manager,
      'vigie_escalation_policy',
      `SELECT ${columnList(manager, EscalationPolicyEntity, 'p')} FROM escalation_policies p WHERE p.department_code = $1`,
      [departmentCode],
    );
    return rows[0] ? entityFromRow(manager, EscalationPolicyEntity, rows[0]) : null;
  }

  async upsert(departmentCode: string, policy: StoredEscalationPolicy, updatedBy: string): Promise<EscalationPolicyEntity> {
    await this.dataSource.query(
      `INSERT INTO escalation_policies (department_code, policy, updated_at, updated_by) VALUES ($1, $2, now(), $3)
       ON CONFLICT (department_code) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [departmentCode, policy, updatedBy],
    );
    return (await this.find(departmentCode)) as EscalationPolicyEntity;
  }
}
