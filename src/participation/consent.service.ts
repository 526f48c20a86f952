import { Injectable } from '@nestjs/common';
import { CaseAction } from '../access/case-ability.factory';
import { Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseCommand } from '../cases/case-command';
import { CaseLifecycle } from '../cases/case-lifecycle';
import { Sealer } from '../common/crypto';
import { Problem } from '../common/problem';
import { mayWithdrawConsent } from '../access/consent-withdrawal.rule';
import { DomainEventType } from '../outbox/domain-event';
import { consentWithdrawalAssociatedData, ConsentRepository } from './consent.repository';
import type { ConsentReporter, WithdrawConsentDto } from './dto/participation.dto';
import { ParticipationRepository } from './participation.repository';

export interface ConsentWithdrawal {
  caseId: string;
  organisationId: string;
  withdrawnAt: string;
  reportedBy: ConsentReporter;
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
    private readonly sealer: Sealer,
  ) {}

  withdraw(principal: Principal, caseId: string, withdrawal: WithdrawConsentDto, meta: RequestMeta): Promise<ConsentWithdrawal> {
    const { organisationId, reportedBy, note } = withdrawal;
    const mayWithdraw = this.command.requireAction(CaseAction.WithdrawConsent);
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.ConsentWithdraw,
      authorize: (ability, loaded) =>
        mayWithdraw(ability, loaded) ??
        (mayWithdrawConsent(principal, loaded, organisationId)
          ? undefined
          : Problem.forbidden('Only the lead organisation or the organisation the consent was given to records its withdrawal')),
      basis: [Section.Summary],
      work: async ({ manager }) => {
        const consents = await this.consents.withdraw(manager, {
          caseId,
          organisationId,
          userId: principal.userId,
          reportedBy,
          seal: (consentId) => this.sealer.seal(Buffer.from(note, 'utf8'), consentWithdrawalAssociatedData(consentId)),
        });
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
            reportedBy,
            revokedParticipations: revoked.count,
            withdrawnReferrals,
          },
          events: [{ type: DomainEventType.ConsentWithdrawn, caseId, organisationIds: [organisationId], actorUserId: principal.userId }],
        };
      },
    });
  }
}
