import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The stored shape of an escalation policy (integrations.md § Escalation). */
export interface StoredEscalationPolicy {
  worrying: {
    steps: { afterSeconds: number; notify: string[] }[];
    repeatLastStepEverySeconds: number | null;
    maxRepeats: number;
  };
  routine: { notify: string[] };
  disclosure: { notify: string[] };
  overdueInterview: { notify: string[] };
}

@Entity({ name: 'escalation_policies' })
export class EscalationPolicyEntity {
  @PrimaryColumn({ name: 'department_code', type: 'text' }) departmentCode: string;
  @Column({ type: 'jsonb' }) policy: StoredEscalationPolicy;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'updated_by', type: 'uuid', nullable: true }) updatedBy: string | null;
}
