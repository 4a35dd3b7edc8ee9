import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type FoyerKind = 'ase' | 'pjj' | 'other';

@Entity({ name: 'foyers' })
export class FoyerEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'department_code', type: 'text' }) departmentCode: string;
  @Column({ type: 'text' }) kind: FoyerKind;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
