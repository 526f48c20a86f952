import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { ReferralRepository } from './referral.repository';
import { ReferralStatus } from './referral-rules';

/**
 * The one transition no user makes: a pending referral whose time ran out becomes expired and
 * the referrer is told. Run by the worker when the expiry deadline fires. Idempotent: anything
 * but a pending referral past its respondBy is left alone.
 */
@Injectable()
export class ReferralExpiryService {
  constructor(
    private readonly referrals: ReferralRepository,
    private readonly deadlines: DeadlinesService,
    private readonly outbox: OutboxService,
  ) {}

  async expire(manager: EntityManager, referralId: string): Promise<boolean> {
    const [expired] = await this.referrals.transitionAll(manager, { id: referralId, overdueOnly: true }, ReferralStatus.Expired, { by: null });
    if (!expired) return false;
    await this.deadlines.cancelReferral(manager, referralId);
    await this.outbox.emit(manager, {
      type: DomainEventType.ReferralExpired,
      caseId: expired.caseId,
      referralId,
      organisationIds: [expired.fromOrganisationId],
    });
    return true;
  }
}
