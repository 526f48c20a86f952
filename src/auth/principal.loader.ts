import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Country, OrganisationType } from '../access/organisation-type';
import type { Role } from '../access/role';
import type { Principal } from '../access/principal';

/**
 * How long a looked-up principal is reused. Bounds how late a deactivation or a logout takes
 * effect on tokens already issued (the product promises 10 s).
 */
export const PRINCIPAL_CACHE_MS = 5_000;

interface CachedPrincipal {
  principal: Principal | undefined;
  at: number;
}

interface PrincipalRow {
  user_id: string;
  role: Role;
  organisation_id: string;
  type: OrganisationType;
  country: Country | null;
}

@Injectable()
export class PrincipalLoader {
  private readonly cache = new Map<string, CachedPrincipal>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The principal for a live session of an active user in an active organisation, else undefined. */
  async load(userId: string, sessionId: string): Promise<Principal | undefined> {
    const key = `${userId}:${sessionId}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < PRINCIPAL_CACHE_MS) return hit.principal;
    const rows: PrincipalRow[] = await this.dataSource.query(
      `SELECT u.id AS user_id, u.role, o.id AS organisation_id, o.type, o.country
         FROM "user" u
         JOIN organisation o ON o.id = u.organisation_id
         JOIN auth_session s ON s.id = $2 AND s.user_id = u.id
        WHERE u.id = $1 AND u.active AND o.active AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [userId, sessionId],
    );
    const row = rows[0];
    const principal: Principal | undefined = row
      ? { userId: row.user_id, sessionId, organisationId: row.organisation_id, organisationType: row.type, country: row.country, role: row.role }
      : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, at: now });
    return principal;
  }

  /** Forget a session at once in this process (logout); other processes follow within PRINCIPAL_CACHE_MS. */
  forget(userId: string, sessionId: string): void {
    this.cache.delete(`${userId}:${sessionId}`);
  }
}
