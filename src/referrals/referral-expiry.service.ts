import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { ReferralStatus } from './referral-rules';

/**
 * The one transition no user makes: a pending referral whose time ran out becomes expired and
 * the referrer is told. Run by the worker when the expiry deadline fires. Idempotent: anything
 * but a pending referral past its respondBy is left alone.
 */
@Injectable()
export class ReferralExpiryService {
  constructor(
    private readonly deadlines: DeadlinesService,
    private readonly outbox: OutboxService,
  ) {}

  async expire(manager: EntityManager, referralId: string): Promise<boolean> {
    const [rows]: [Array<{ case_id: string; from_organisation_id: string }>, number] = await manager.query(
      `UPDATE referral SET status = $2, answered_at = now() WHERE id = $1 AND status = $3 AND respond_by <= now() RETURNING case_id, from_organisation_id`,
      [referralId, ReferralStatus.Expired, ReferralStatus.Pending],
    );
    const row = rows[0];
    if (!row) return false;
    await this.deadlines.cancelReferral(manager, referralId);
    await this.outbox.emit(manager, { type: DomainEventType.ReferralExpired, caseId: row.case_id, referralId, organisationIds: [row.from_organisation_id] });
    return true;
  }
}
