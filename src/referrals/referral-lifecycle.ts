import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseLifecycle, type CaseLifecycleListener } from '../cases/case-lifecycle';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { ReferralRepository } from './referral.repository';
import { ReferralStatus } from './referral-rules';

/** What a case's lifecycle does to its referrals: closing the case or withdrawing a consent withdraws the pending ones. */
@Injectable()
export class ReferralLifecycle implements CaseLifecycleListener, OnModuleInit {
  constructor(
    private readonly lifecycle: CaseLifecycle,
    private readonly referrals: ReferralRepository,
    private readonly deadlines: DeadlinesService,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.register(this);
  }

  caseAnonymising(manager: EntityManager, caseId: string): Promise<void> {
    return this.referrals.eraseMessagesOfCase(manager, caseId);
  }

  /** The targets are told their pending referral is gone. */
  async caseClosing(manager: EntityManager, event: { caseId: string; actorUserId: string }): Promise<void> {
    const withdrawn = await this.referrals.transitionAll(manager, { caseId: event.caseId }, ReferralStatus.Withdrawn, { by: event.actorUserId });
    for (const referral of withdrawn) {
      await this.deadlines.cancelReferral(manager, referral.id);
      await this.outbox.emit(manager, {
        type: DomainEventType.ReferralWithdrawn,
        caseId: event.caseId,
        referralId: referral.id,
        organisationIds: [referral.toOrganisationId],
        actorUserId: event.actorUserId,
      });
    }
  }

  /** The organisation itself is told of the withdrawn consent (consent.withdrawn), so no event per referral. */
  async consentWithdrawn(manager: EntityManager, event: { consentIds: readonly string[]; actorUserId: string }): Promise<number> {
    const withdrawn = await this.referrals.transitionAll(manager, { consentIds: event.consentIds }, ReferralStatus.Withdrawn, { by: event.actorUserId });
    for (const referral of withdrawn) await this.deadlines.cancelReferral(manager, referral.id);
    return withdrawn.length;
  }
}
