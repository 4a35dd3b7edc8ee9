import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type FoyerKind = 'ase' | 'pjj' | 'other';

@Entity({ name: 'foyers' })
export class FoyerEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'department_code', type: 'text' }) departmentCode: string;
  @Column({ type: 'text' }) kind: FoyerKind;
  /** The foyer's phone, shown to the people an alert reaches; a professional contact. */
  @Column({ type: 'text', nullable: true }) phone: string | null;
  /** The foyer's postal address, a professional contact like its phone. */
  @Column({ type: 'text', nullable: true }) address: string | null;
  /** When an administrator closed the foyer; null while it is open. */
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
