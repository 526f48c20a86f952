import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { LegalBasis, Purpose } from '../access/policy';
import type { Principal, RequestMeta } from '../access/principal';
import { ANSWERING_SIDE, referralAnswerRefusal } from '../access/referral-answers';
import type { OrganisationType } from '../access/organisation-type';
import { AuditAction } from '../audit/audit-action';
import { CaseCommand } from '../cases/case-command';
import { Problem } from '../common/problem';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { ParticipationRepository } from '../participation/participation.repository';
import { assertTransition, legalBasisFor, ReferralStatus } from './referral-rules';
import { ReferralRepository, type ReferralRow } from './referral.repository';
import { toReferralView, type ReferralView } from './referral-view';

const NOT_FOUND = (): Problem => Problem.notFound('Referral not found');
const PLACEMENT_ACTIVE = (): Problem => Problem.conflict('placement-active', 'The victim already has a placement; end it before accepting another');

/**
 * How the target answers a referral (accept, decline) and how the referrer withdraws it. Each
 * answer is a case command: its status change, participation, bed, deadlines, outbox and audit
 * events commit together.
 */
@Injectable()
export class ReferralAnswersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly command: CaseCommand,
    private readonly referrals: ReferralRepository,
    private readonly participations: ParticipationRepository,
    private readonly outbox: OutboxService,
    private readonly deadlines: DeadlinesService,
  ) {}

  async accept(principal: Principal, referralId: string, meta: RequestMeta): Promise<ReferralView> {
    return this.answer(principal, referralId, meta, AuditAction.ReferralAccept, ANSWERING_SIDE.accept, async (manager, row) => {
      assertTransition(row.status, ReferralStatus.Accepted);
      if (row.respond_by.getTime() <= Date.now()) return Problem.conflict('referral-expired', 'The time to answer this referral has passed');
      const organisations: Array<{ type: OrganisationType; country: string | null; accepts_minors: boolean | null }> = await manager.query(
        `SELECT type, country, accepts_minors FROM organisation WHERE id = $1`,
        [row.to_organisation_id],
      );
      const target = organisations[0]!;
      const holdsBed = row.purpose === Purpose.Shelter;
      if (holdsBed) {
        if (row.case_minor && !target.accepts_minors) return Problem.unprocessable('minors-not-accepted', 'This reception centre does not accept minors');
        // A victim sleeps in one place: a second concurrent accept is stopped by participation_one_placement_uq below.
        if (await this.participations.hasActivePlacement(manager, row.case_id)) return PLACEMENT_ACTIVE();
        if (!(await this.participations.takeBed(manager, row.to_organisation_id)))
          return Problem.conflict('no-free-bed', 'The reception centre has no free bed');
      }
      const legalBasis = legalBasisFor(target.type, row.case_country, target.country);
      const added = await this.participations.addFromReferral(manager, {
        caseId: row.case_id,
        organisationId: row.to_organisation_id,
        purpose: row.purpose,
        legalBasis,
        consentId: legalBasis === LegalBasis.Consent ? row.consent_id : null,
        referralId: row.id,
        holdsBed,
      });
      if (added === 'placement-active') return PLACEMENT_ACTIVE();
      await this.setStatus(manager, row, ReferralStatus.Accepted, principal.userId);
      await this.outbox.emit(manager, {
        type: DomainEventType.ReferralAccepted,
        caseId: row.case_id,
        referralId: row.id,
        organisationIds: [row.from_organisation_id],
        actorUserId: principal.userId,
      });
      return legalBasis;
    });
  }

  async decline(principal: Principal, referralId: string, reason: string, meta: RequestMeta): Promise<ReferralView> {
    return this.answer(principal, referralId, meta, AuditAction.ReferralDecline, ANSWERING_SIDE.decline, async (manager, row) => {
      assertTransition(row.status, ReferralStatus.Declined);
      await this.setStatus(manager, row, ReferralStatus.Declined, principal.userId, reason);
      await this.outbox.emit(manager, {
        type: DomainEventType.ReferralDeclined,
        caseId: row.case_id,
        referralId: row.id,
        organisationIds: [row.from_organisation_id],
        actorUserId: principal.userId,
      });
      return null;
    });
  }

  async withdraw(principal: Principal, referralId: string, meta: RequestMeta): Promise<ReferralView> {
    return this.answer(principal, referralId, meta, AuditAction.ReferralWithdraw, ANSWERING_SIDE.withdraw, async (manager, row) => {
      assertTransition(row.status, ReferralStatus.Withdrawn);
      await this.setStatus(manager, row, ReferralStatus.Withdrawn, principal.userId);
      await this.outbox.emit(manager, {
        type: DomainEventType.ReferralWithdrawn,
        caseId: row.case_id,
        referralId: row.id,
        organisationIds: [row.to_organisation_id],
        actorUserId: principal.userId,
      });
      return null;
    });
  }

  /**
   * Accept, decline and withdraw, through the case command: the case and then the referral are
   * locked, the caller must be an operational user of the answering side (`to` for the target,
   * `from` for the referrer). A user of the other side may see the referral, so gets 403; anyone
   * else 404. The work returns the legal basis the audit event records.
   */
  private async answer(
    principal: Principal,
    referralId: string,
    meta: RequestMeta,
    action: AuditAction,
    side: 'to' | 'from',
    work: (manager: EntityManager, row: ReferralRow) => Promise<string | null | Problem>,
  ): Promise<ReferralView> {
    const caseId = await this.referrals.caseOf(this.dataSource.manager, referralId);
    if (!caseId) {
      await this.command.deny(principal, null, meta, { action });
      throw NOT_FOUND();
    }
    return this.command.run({
      principal,
      caseId,
      meta,
      action,
      // Who may answer is decided on the referral's parties, under its lock, in the work.
      authorize: () => undefined,
      work: async ({ manager }) => {
        const row = await this.referrals.find(manager, referralId, { lock: true });
        const refusal =
          row && referralAnswerRefusal(principal, { fromOrganisationId: row.from_organisation_id, toOrganisationId: row.to_organisation_id }, side);
        if (!row || refusal === 404) return NOT_FOUND();
        if (refusal === 403) {
          return Problem.forbidden(side === 'to' ? 'Only the target organisation answers a referral' : 'Only the referring organisation withdraws a referral');
        }
        const legalBasis = await work(manager, row);
        if (legalBasis instanceof Problem) return legalBasis;
        return { result: toReferralView((await this.referrals.find(manager, referralId))!), legalBasis };
      },
    });
  }

  private async setStatus(manager: EntityManager, row: ReferralRow, status: ReferralStatus, userId: string, declineReason?: string): Promise<void> {
    await this.referrals.transition(manager, row, status, { by: userId, declineReason });
    await this.deadlines.cancelReferral(manager, row.id);
  }
}
