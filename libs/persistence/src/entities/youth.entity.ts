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
}

@Entity({ name: 'youths' })
export class YouthEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'foyer_id', type: 'uuid' }) foyerId: string;
  @Column({ name: 'identity_enc', type: 'text', nullable: true }) identityEnc: string | null;
  @Column({ type: 'text' }) sex: Sex;
  @Column({ name: 'vital_treatment', type: 'boolean' }) vitalTreatment: boolean;
  @Column({ type: 'text', array: true }) vulnerabilities: string[];
  @Column({ name: 'external_ref', type: 'text', nullable: true }) externalRef: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt: Date | null;
}
