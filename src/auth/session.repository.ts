import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface EndedSession {
  userId: string;
  sessionId: string;
}

/** Session ends other features cause (deactivating a user or an organisation); auth owns `auth_session`. */
@Injectable()
export class SessionRepository {
  async endFor(manager: EntityManager, of: { userId: string } | { organisationId: string }): Promise<EndedSession[]> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [Array<{ id: string; user_id: string }>, number] =
      'userId' in of
        ? await manager.query(
            `UPDATE auth_session SET revoked_at = now(), revoked_reason = 'deactivated' WHERE user_id = $1 AND revoked_at IS NULL RETURNING id, user_id`,
            [of.userId],
          )
        : await manager.query(
            `UPDATE auth_session s SET revoked_at = now(), revoked_reason = 'deactivated'
               FROM "user" u WHERE u.id = s.user_id AND u.organisation_id = $1 AND s.revoked_at IS NULL
             RETURNING s.id, s.user_id`,
            [of.organisationId],
          );
    return rows.map((row) => ({ userId: row.user_id, sessionId: row.id }));
  }
}
