import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { CaseAction } from '../access/case-ability.factory';
import { Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestMeta } from '../access/principal';
import { CasesService } from '../cases/cases.service';
import { Problem } from '../common/problem';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';

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
 * it are withdrawn, and the organisation is notified.
 */
@Injectable()
export class ConsentService {
  constructor(
    private readonly cases: CasesService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly deadlines: DeadlinesService,
  ) {}

  withdraw(principal: Principal, caseId: string, organisationId: string, meta: RequestMeta): Promise<ConsentWithdrawal> {
    return this.cases.mutate(
      principal,
      caseId,
      meta,
      { action: AuditAction.ConsentWithdraw },
      this.cases.requireAction(CaseAction.WithdrawConsent),
      async (manager, loaded) => {
        const [consents]: [Array<{ id: string; withdrawn_at: Date }>, number] = await manager.query(
          `UPDATE consent SET withdrawn_at = now(), withdrawn_by = $3 WHERE case_id = $1 AND organisation_id = $2 AND withdrawn_at IS NULL RETURNING id, withdrawn_at`,
          [caseId, organisationId, principal.userId],
        );
        if (consents.length === 0) return Problem.conflict('no-consent', 'No consent of the victim is on record for this organisation');
        const consentIds = consents.map((c) => c.id);
        const revoked = await this.revokeParticipations(manager, consentIds);
        const [referrals]: [Array<{ id: string }>, number] = await manager.query(
          `UPDATE referral SET status = 'withdrawn', answered_at = now(), answered_by = $2 WHERE consent_id = ANY($1) AND status = 'pending' RETURNING id`,
          [consentIds, principal.userId],
        );
        for (const referral of referrals) await this.deadlines.cancelReferral(manager, referral.id);
        await this.cases.releaseBedsOf(manager, revoked.bedHolders);
        await this.outbox.emit(manager, { type: DomainEventType.ConsentWithdrawn, caseId, organisationIds: [organisationId], actorUserId: principal.userId });
        await this.audit.record(manager, {
          action: AuditAction.ConsentWithdraw,
          outcome: 'allowed',
          actor: principal,
          caseId,
          legalBasis: this.access.legalBasis(principal, loaded, [Section.Summary]),
          meta,
        });
        return {
          caseId,
          organisationId,
          withdrawnAt: consents[0]!.withdrawn_at.toISOString(),
          revokedParticipations: revoked.count,
          withdrawnReferrals: referrals.length,
        };
      },
    );
  }

  private async revokeParticipations(manager: EntityManager, consentIds: string[]): Promise<{ count: number; bedHolders: string[] }> {
    const [rows]: [Array<{ organisation_id: string; held_bed: boolean }>, number] = await manager.query(
      `UPDATE participation p SET revoked_at = now(), revoked_reason = 'consent_withdrawn', holds_bed = false
         FROM (SELECT id, holds_bed FROM participation WHERE consent_id = ANY($1) AND revoked_at IS NULL FOR UPDATE) old
        WHERE p.id = old.id
        RETURNING p.organisation_id, old.holds_bed AS held_bed`,
      [consentIds],
    );
    return { count: rows.length, bedHolders: rows.filter((r) => r.held_bed).map((r) => r.organisation_id) };
  }
}
