import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type Sex = 'F' | 'M' | 'X';

/** Identity and health details, stored encrypted as one document in `identity_enc`. */
export interface YouthIdentity {
  firstName: string;
  lastName: string;
  birthDate: string;
  phone?: string | null;
  description?: string | null;
  photoUrl?: string | null;
  usualPlaces?: string[];
  medicalDetails?: string | null;
  /** Vulnerability codes (HISTORY_SEXUAL_VIOLENCE…): health and history facts, kept here encrypted. */
  vulnerabilities?: string[];
  /** The youth needs a vital treatment: health data, kept here encrypted. */
  vitalTreatment?: boolean;
}

/**
 * The youth's vulnerability codes: from the encrypted identity; from the clear column only for a
 * profile written before they moved there and not yet sealed (YouthService.sealClearVulnerabilities).
 */
export function vulnerabilitiesOf(youth: Pick<YouthEntity, 'vulnerabilities'>, identity: YouthIdentity | null): string[] {
  return identity?.vulnerabilities ?? youth.vulnerabilities;
}

/** The vital-treatment flag, read as vulnerabilitiesOf reads the codes. */
export function vitalTreatmentOf(youth: Pick<YouthEntity, 'vitalTreatment'>, identity: YouthIdentity | null): boolean {
  return identity?.vitalTreatment ?? youth.vitalTreatment;
}

@Entity({ name: 'youths' })
export class YouthEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'foyer_id', type: 'uuid' }) foyerId: string;
  @Column({ name: 'identity_enc', type: 'text', nullable: true }) identityEnc: string | null;
  @Column({ type: 'text' }) sex: Sex;
  /** False: the flag lives in `identity_enc`; only profiles not yet sealed still hold it here. */
  @Column({ name: 'vital_treatment', type: 'boolean' }) vitalTreatment: boolean;
  /** Empty: the codes live in `identity_enc`; only profiles not yet sealed still hold them here. */
  @Column({ type: 'text', array: true }) vulnerabilities: string[];
  @Column({ name: 'external_ref', type: 'text', nullable: true }) externalRef: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt: Date | null;
}
