import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from './domain-event';

/**
 * The transactional outbox: an event is written in the same transaction as the change that
 * caused it, so it exists exactly when the change does. A relay moves it to the queue later.
 */
@Injectable()
export class OutboxService {
  async emit(manager: EntityManager, event: DomainEvent): Promise<void> {
    await manager.query(
      `INSERT INTO outbox_event (type, case_id, referral_id, break_glass_id, organisation_ids, user_ids, actor_user_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [event.type, event.caseId, event.referralId ?? null, event.breakGlassId ?? null, event.organisationIds, event.userIds ?? [], event.actorUserId ?? null],
    );
  }

  /** The events have reached everyone they name (the fan-out ran); the relay no longer picks them up. */
  async markProcessed(manager: EntityManager, eventIds: readonly string[]): Promise<void> {
    await manager.query(`UPDATE outbox_event SET processed_at = now() WHERE event_id = ANY($1::uuid[]) AND processed_at IS NULL`, [eventIds]);
  }
}
