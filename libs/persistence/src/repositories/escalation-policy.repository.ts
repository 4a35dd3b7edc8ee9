import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EscalationPolicyEntity, StoredEscalationPolicy } from '../entities/escalation-policy.entity';

@Injectable()
export class EscalationPolicyRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(departmentCode: string, manager?: EntityManager): Promise<EscalationPolicyEntity | null> {
    return (manager ?? this.dataSource.manager).getRepository(EscalationPolicyEntity).findOneBy({ departmentCode });
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
