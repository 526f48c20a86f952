import { ApiProperty } from '@nestjs/swagger';
import type { DataSource, EntityManager } from 'typeorm';
import { Country, OrganisationType } from '../access/organisation-type';

/**
 * API.md "Readable context": wherever a response names an organisation or a user, a readable
 * object travels next to the id. Staff and organisation names are not victim data.
 */
export class OrganisationRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'be-shelter-antwerp' }) slug!: string;
  @ApiProperty({ example: 'Reception Centre Antwerp' }) name!: string;
  @ApiProperty({ enum: OrganisationType, enumName: 'OrganisationType' }) type!: OrganisationType;
  @ApiProperty({ enum: Country, enumName: 'Country', nullable: true }) country!: Country | null;
}

export class UserRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Jan Peeters' }) name!: string;
  @ApiProperty({ type: OrganisationRefDto }) organisation!: OrganisationRefDto;
}

/** The readable objects of these organisations, by id (unknown ids are left out). */
export async function organisationRefs(db: DataSource | EntityManager, ids: readonly string[]): Promise<Map<string, OrganisationRefDto>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows: OrganisationRefDto[] = await db.query(`SELECT id, slug, name, type, country FROM organisation WHERE id = ANY($1::uuid[])`, [unique]);
  return new Map(rows.map((row) => [row.id, { id: row.id, slug: row.slug, name: row.name, type: row.type, country: row.country }]));
}
