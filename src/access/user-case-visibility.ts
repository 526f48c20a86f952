import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from './principal';
import { AccessService } from './access.service';

/**
 * Whether a given user may see a case right now, by the very rules the API applies to that
 * user's requests: for deciding who is told about an event, outside any request.
 */
@Injectable()
export class UserCaseVisibility {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  /** Those of `userIds` (active, in an active organisation) who may read the case now; the case is loaded once. */
  async visibleTo(userIds: readonly string[], caseId: string): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    // The case and the users are independent reads: one round trip's wait instead of two (fan-out latency).
    const [loaded, users] = await Promise.all([
      this.access.loadCase(this.dataSource.manager, caseId),
      this.dataSource.query(
        `SELECT u.id, u.organisation_id, o.type, o.country, u.role FROM "user" u JOIN organisation o ON o.id = u.organisation_id
          WHERE u.id = ANY($1::uuid[]) AND u.active AND o.active`,
        [userIds],
      ) as Promise<Array<{ id: string; organisation_id: string; type: Principal['organisationType']; country: Principal['country']; role: Principal['role'] }>>,
    ]);
    if (!loaded) return new Set();
    const now = new Date();
    return new Set(
      users
        .filter((user) => {
          const principal: Principal = {
            userId: user.id,
            sessionId: '',
            organisationId: user.organisation_id,
            organisationType: user.type,
            country: user.country,
            role: user.role,
          };
          return this.access.isVisible(this.access.abilityFor(principal, now), loaded);
        })
        .map((user) => user.id),
    );
  }
}
