import { Injectable } from '@nestjs/common';
import { CaseAction } from '../access/case-ability.factory';
import { Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseCommand } from '../cases/case-command';
import { CaseLifecycle } from '../cases/case-lifecycle';
import { Problem } from '../common/problem';
import { DomainEventType } from '../outbox/domain-event';
import { ConsentRepository } from './consent.repository';
import { ParticipationRepository } from './participation.repository';

export interface ConsentWithdrawal {
  caseId: string;
  organisationId: string;
  withdrawnAt: string;
  revokedParticipations: number;
  withdrawnReferrals: number;
}

/**
 * The victim withdraws consent for one organisation: in the same transaction every
 * participation resting on that consent is revoked (its bed freed), pending referrals resting on
 * it are withdrawn (by referrals, through CaseLifecycle), and the organisation is notified.
 */
@Injectable()
export class ConsentService {
  constructor(
    private readonly command: CaseCommand,
    private readonly lifecycle: CaseLifecycle,
    private readonly consents: ConsentRepository,
    private readonly participations: ParticipationRepository,
  ) {}

  withdraw(principal: Principal, caseId: string, organisationId: string, meta: RequestMeta): Promise<ConsentWithdrawal> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.ConsentWithdraw,
      authorize: this.command.requireAction(CaseAction.WithdrawConsent),
      basis: [Section.Summary],
      work: async ({ manager }) => {
        const consents = await this.consents.withdraw(manager, caseId, organisationId, principal.userId);
        if (consents.length === 0) return Problem.conflict('no-consent', 'No consent of the victim is on record for this organisation');
        const consentIds = consents.map((c) => c.id);
        const revoked = await this.participations.revokeByConsent(manager, consentIds);
        // Referrals before beds: the same lock order as accepting a referral (referral, then centre).
        const withdrawnReferrals = await this.lifecycle.consentWithdrawn(manager, { caseId, consentIds, actorUserId: principal.userId });
        await this.participations.releaseBeds(manager, revoked.bedHolders);
        return {
          result: {
            caseId,
            organisationId,
            withdrawnAt: consents[0]!.withdrawnAt.toISOString(),
            revokedParticipations: revoked.count,
            withdrawnReferrals,
          },
          events: [{ type: DomainEventType.ConsentWithdrawn, caseId, organisationIds: [organisationId], actorUserId: principal.userId }],
        };
      },
    });
  }
}
