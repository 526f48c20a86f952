import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Country, OrganisationType } from '../access/organisation-type';

@Entity('organisation')
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: OrganisationType;

  @Column({ type: 'char', length: 2, nullable: true })
  country!: Country | null;

  @Column({ type: 'integer', nullable: true })
  bedsTotal!: number | null;

  @Column({ type: 'integer', nullable: true })
  bedsAvailable!: number | null;

  @Column({ type: 'boolean', nullable: true })
  acceptsMinors!: boolean | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
