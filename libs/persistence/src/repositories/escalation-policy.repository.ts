import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EscalationPolicyEntity, StoredEscalationPolicy } from '../entities/escalation-policy.entity';
import { preparedQuery } from './prepared';
import { columnList, entityFromRow } from './raw-rows';

/**
 * How long a process keeps a département's policy (or its absence) once read by `findInForce`.
 * A write through this process empties its entry at once; another process (a worker started on
 * its own) sees it at most this long after (docs/decisions.md § The escalation policy cache).
 */
export const POLICY_CACHE_MS = 5_000;

@Injectable()
export class EscalationPolicyRepository {
  private readonly cache = new Map<string, { entity: EscalationPolicyEntity | null; until: number }>();
  /** Bumped by every write: a read that started before it does not fill the cache. */
  private generation = 0;

  constructor(private readonly dataSource: DataSource) {}

  /** The stored policy, read from the database (what the API shows and what a write returns). */
  async find(departmentCode: string, manager: EntityManager = this.dataSource.manager): Promise<EscalationPolicyEntity | null> {
    const rows = await preparedQuery<Record<string, unknown>>(
      manager,
      'vigie_escalation_policy',
      `SELECT ${columnList(manager, EscalationPolicyEntity, 'p')} FROM escalation_policies p WHERE p.department_code = $1`,
      [departmentCode],
    );
    return rows[0] ? entityFromRow(manager, EscalationPolicyEntity, rows[0]) : null;
  }

  /**
   * The policy a triage or an alert applies: `find`, kept per process for POLICY_CACHE_MS
   * (absence included). The time is the process's monotonic clock: an expiry, not a business time.
   */
  async findInForce(departmentCode: string, manager: EntityManager = this.dataSource.manager): Promise<EscalationPolicyEntity | null> {
    const cached = this.cache.get(departmentCode);
    if (cached && cached.until > performance.now()) return cached.entity;
    const generation = this.generation;
    const entity = await this.find(departmentCode, manager);
    if (generation === this.generation) this.cache.set(departmentCode, { entity, until: performance.now() + POLICY_CACHE_MS });
    return entity;
  }

  async upsert(departmentCode: string, policy: StoredEscalationPolicy, updatedBy: string): Promise<EscalationPolicyEntity> {
    try {
      await this.dataSource.query(
        `INSERT INTO escalation_policies (department_code, policy, updated_at, updated_by) VALUES ($1, $2, now(), $3)
         ON CONFLICT (department_code) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [departmentCode, policy, updatedBy],
      );
    } finally {
      this.generation++;
      this.cache.delete(departmentCode);
    }
    return (await this.find(departmentCode)) as EscalationPolicyEntity;
  }
}
