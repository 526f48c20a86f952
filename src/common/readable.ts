import { ApiProperty } from '@nestjs/swagger';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * API.md "Readable context": wherever a response names an organisation or a user, a readable
 * object travels next to the id. Staff and organisation names are not victim data.
 */
export class OrganisationRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'be-shelter-antwerp' }) slug!: string;
  @ApiProperty({ example: 'Reception Centre Antwerp' }) name!: string;
  // Plain strings, like GET /api/me's organisation: common builds on nothing of access.
  @ApiProperty({ example: 'reception_centre', description: 'An OrganisationType' }) type!: string;
  @ApiProperty({ type: String, nullable: true, example: 'BE', description: 'A Country; null for the platform organisation' }) country!: string | null;
}

export class UserRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Jan Peeters' }) name!: string;
  @ApiProperty({ type: OrganisationRefDto }) organisation!: OrganisationRefDto;
}

/** A staff member by name, where the organisation is given beside it. */
export class UserNameDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Jan Peeters' }) name!: string;
}

/** The names of these users, by id (unknown ids are left out). */
export async function userNames(db: DataSource | EntityManager, ids: readonly string[]): Promise<Map<string, UserNameDto>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows: UserNameDto[] = await db.query(`SELECT id, name FROM "user" WHERE id = ANY($1::uuid[])`, [unique]);
  return new Map(rows.map((row) => [row.id, { id: row.id, name: row.name }]));
}

/** The readable objects of these organisations, by id (unknown ids are left out). */
export async function organisationRefs(db: DataSource | EntityManager, ids: readonly string[]): Promise<Map<string, OrganisationRefDto>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows: OrganisationRefDto[] = await db.query(`SELECT id, slug, name, type, country FROM organisation WHERE id = ANY($1::uuid[])`, [unique]);
  return new Map(rows.map((row) => [row.id, { id: row.id, slug: row.slug, name: row.name, type: row.type, country: row.country }]));
}
