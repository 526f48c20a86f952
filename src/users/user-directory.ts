import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../access/principal';
import { directoryPredicate } from '../access/supervisor-scope';
import { SqlParams } from '../common/sql';
import type { DirectoryDto } from './dto/directory.dto';

/** Reads names for ids within the caller's directory scope (the rule lives in access). */
@Injectable()
export class UserDirectory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async lookUp(principal: Principal, userIds: readonly string[]): Promise<DirectoryDto> {
    const params = new SqlParams();
    const ids = params.add([...new Set(userIds)]);
    const scope = directoryPredicate(principal, { userId: 'u.id', organisationId: 'u.organisation_id', organisationCountry: 'o.country' }, params);
    const rows: Array<{ id: string; name: string; organisation_id: string; slug: string; organisation_name: string; type: string; country: string | null }> =
      await this.dataSource.query(
        `SELECT u.id, u.name, u.organisation_id, o.slug, o.name AS organisation_name, o.type, o.country
           FROM "user" u JOIN organisation o ON o.id = u.organisation_id
          WHERE u.id = ANY(${ids}::uuid[]) AND ${scope}
          ORDER BY u.name, u.id`,
        params.values,
      );
    return {
      items: rows.map((row) => ({
        id: row.id,
        name: row.name,
        organisation: { id: row.organisation_id, slug: row.slug, name: row.organisation_name, type: row.type, country: row.country },
      })),
    };
  }
}
