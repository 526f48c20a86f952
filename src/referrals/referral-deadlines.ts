import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeadlineKind } from '../deadlines/deadline-kind';
import { type DeadlineKindHandler, type FiredDeadline, HandlesDeadlines } from '../deadlines/deadline-kind-handler';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { ReferralExpiryService } from './referral-expiry.service';
import { ReferralRepository } from './referral.repository';

/** A pending referral's clock: the target is reminded at half time, and the referral expires at respondBy. */
@Injectable()
@HandlesDeadlines(DeadlineKind.ReferralReminder, DeadlineKind.ReferralExpiry)
export class ReferralDeadlines implements DeadlineKindHandler {
  constructor(
    private readonly outbox: OutboxService,
    private readonly expiry: ReferralExpiryService,
    private readonly referrals: ReferralRepository,
  ) {}

  async fire(manager: EntityManager, deadline: FiredDeadline): Promise<void> {
    if (!deadline.referralId) return;
    if (deadline.kind === DeadlineKind.ReferralExpiry) {
      await this.expiry.expire(manager, deadline.referralId);
      return;
    }
    const target = await this.referrals.pendingTarget(manager, deadline.referralId);
    if (!target) return;
    await this.outbox.emit(manager, {
      type: DomainEventType.ReferralReminder,
      caseId: deadline.caseId,
      referralId: deadline.referralId,
      organisationIds: [target],
    });
  }
}
