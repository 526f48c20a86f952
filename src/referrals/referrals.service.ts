import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CaseAction } from '../access/case-ability.factory';
import { LegalBasis, Purpose, Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseCommand } from '../cases/case-command';
import { Sealer } from '../common/crypto';
import { keyset, type Page, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import type { OrganisationType } from '../access/organisation-type';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { OPERATIONAL_ROLE } from '../access/role';
import { ANSWERING_SIDE, referralAnswerRefusal } from '../access/referral-answers';
import { ConsentRepository } from '../participation/consent.repository';
import { ParticipationRepository } from '../participation/participation.repository';
import type { CreateReferralDto, ListReferralsQuery } from './dto/referral.dto';
import { referralMessageAssociatedData } from './referral-message';
import { ANSWER_HOURS, assertTransition, consentRequired, legalBasisFor, ReferralStatus, TARGET_TYPE, type Urgency } from './referral-rules';
import { ReferralRepository, type ReferralRow } from './referral.repository';

export interface ReferralView {
  id: string;
  caseId: string;
  caseReference: string;
  fromOrganisationId: string;
  toOrganisationId: string;
  purpose: Purpose;
  urgency: Urgency;
  status: ReferralStatus;
  respondBy: string;
  createdAt: string;
  answeredAt: string | null;
  declineReason?: string;
  /** Incoming pending referrals only: what the target needs to decide, never identity. */
  brief?: { summary: Record<string, unknown>; message: string | null };
}

const NOT_FOUND = (): Problem => Problem.notFound('Referral not found');
const PLACEMENT_ACTIVE = (): Problem => Problem.conflict('placement-active', 'The victim already has a placement; end it before accepting another');

/**
 * How a victim moves between agencies: a participating organisation refers the case, the target
 * answers. Every change commits with its audit event, its outbox event and its deadlines.
 */
@Injectable()
export class ReferralsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly command: CaseCommand,
    private readonly referrals: ReferralRepository,
    private readonly participations: ParticipationRepository,
    private readonly consents: ConsentRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly deadlines: DeadlinesService,
    private readonly sealer: Sealer,
  ) {}

  create(principal: Principal, caseId: string, dto: CreateReferralDto, meta: RequestMeta): Promise<ReferralView> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.ReferralCreate,
      authorize: this.command.requireAction(CaseAction.Refer),
      basis: [Section.Summary],
      work: async ({ manager, loaded }) => {
        const targets: Array<{ id: string; type: OrganisationType; country: string | null; active: boolean; accepts_minors: boolean | null }> =
          await manager.query(`SELECT id, type, country, active, accepts_minors FROM organisation WHERE id = $1`, [dto.toOrganisationId]);
        const target = targets[0];
        if (!target || !target.active) return Problem.unprocessable('unknown-organisation', 'The target organisation does not exist or is inactive');
        if (target.id === principal.organisationId) return Problem.unprocessable('self-referral', 'An organisation cannot refer a case to itself');
        if (TARGET_TYPE[dto.purpose] !== target.type) {
          return Problem.unprocessable(
            'purpose-mismatch',
            `A ${dto.purpose} referral goes to a ${TARGET_TYPE[dto.purpose]} organisation, not to a ${target.type}`,
          );
        }
        if (loaded.participations.some((p) => p.organisationId === target.id && p.purpose === dto.purpose)) {
          return Problem.conflict('already-participating', 'The organisation already takes part in this case for this purpose');
        }
        const needsConsent = consentRequired(target.type, loaded.country, target.country);
        const minor = await this.isMinor(manager, caseId);
        if (needsConsent && !dto.consent) {
          return Problem.unprocessable('consent-required', `A referral to this organisation needs the ${minor ? "guardian's" : "victim's"} recorded consent`);
        }
        if (dto.consent && minor && dto.consent.by !== 'guardian') {
          return Problem.unprocessable('guardian-consent-required', "The victim is a minor: the consent must be the guardian's");
        }
        if (dto.consent && !minor && dto.consent.by === 'guardian') {
          return Problem.unprocessable('guardian-consent-adult', 'The victim is an adult: only the victim gives consent');
        }
        // Refused now rather than at accept: the centre would have to refuse it anyway, and the victim waits meanwhile.
        if (minor && dto.purpose === Purpose.Shelter && !target.accepts_minors) {
          return Problem.unprocessable('minors-not-accepted', 'This reception centre does not accept minors');
        }
        if (dto.consent && new Date(dto.consent.recordedAt).getTime() > Date.now() + 60_000) {
          return Problem.unprocessable('consent-in-future', 'The consent cannot be recorded in the future');
        }
        const consentId =
          dto.consent && needsConsent
            ? await this.consents.record(manager, {
                caseId,
                organisationId: target.id,
                givenBy: dto.consent.by,
                recordedAt: dto.consent.recordedAt,
                recordedBy: principal.userId,
              })
            : null;
        const id = randomUUID();
        const inserted = await this.referrals.insert(manager, {
          id,
          caseId,
          fromOrganisationId: principal.organisationId,
          toOrganisationId: target.id,
          purpose: dto.purpose,
          urgency: dto.urgency,
          message: dto.message ? this.sealer.seal(Buffer.from(dto.message, 'utf8'), referralMessageAssociatedData(id)) : undefined,
          consentId,
          answerHours: ANSWER_HOURS[dto.urgency],
          createdBy: principal.userId,
        });
        if (inserted === 'duplicate') return Problem.conflict('duplicate-referral', 'A referral of this case to this organisation is already pending');
        const row = (await this.referrals.find(manager, id))!;
        await this.deadlines.scheduleReferral(manager, { caseId, referralId: id, createdAt: row.created_at, respondBy: row.respond_by });
        return {
          result: this.toView(row),
          events: [{ type: DomainEventType.ReferralReceived, caseId, referralId: id, organisationIds: [target.id], actorUserId: principal.userId }],
        };
      },
    });
  }

  async list(principal: Principal, query: ListReferralsQuery, meta: RequestMeta): Promise<Page<ReferralView>> {
    this.requireOperational(principal);
    const { limit, after } = keyset(query, ['time', 'id']);
    const rows = await this.referrals.page(this.dataSource.manager, {
      organisationId: principal.organisationId,
      direction: query.direction,
      status: query.status,
      before: after ? { at: after[0], id: after[1] } : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const briefed = page.filter((row) => query.direction === 'incoming' && row.status === ReferralStatus.Pending);
    const summaries = await this.summaries(briefed.map((row) => row.case_id));
    // Briefs are case data (the summary section): each brief is on the audit trail, with its case, before it leaves,
    // so the case's access log shows every organisation that read it. A listing without briefs is one event.
    await this.audit.recordAllNow(
      briefed.length > 0
        ? briefed.map((row) => ({
            action: AuditAction.ReferralRead,
            outcome: 'allowed' as const,
            actor: principal,
            caseId: row.case_id,
            sections: [Section.Summary],
            meta,
          }))
        : [{ action: AuditAction.ReferralRead, outcome: 'allowed', actor: principal, sections: [], meta }],
    );
    return toPage(
      rows,
      limit,
      (row) => {
        const view = this.toView(row);
        if (briefed.includes(row)) view.brief = { summary: summaries.get(row.case_id) ?? {}, message: this.openMessage(row) };
        return view;
      },
      (row) => [row.created_key!, row.id],
    );
  }

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
   * Accept, decline and withdraw: the referral is locked, the caller must be an operational user
   * of the answering side (`to` for the target, `from` for the referrer). A user of the other
   * side may see the referral, so gets 403; anyone else 404. Refusals are audited.
   */
  private async answer(
    principal: Principal,
    referralId: string,
    meta: RequestMeta,
    action: AuditAction,
    side: 'to' | 'from',
    work: (manager: EntityManager, row: ReferralRow) => Promise<string | null | Problem>,
  ): Promise<ReferralView> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const row = await this.referrals.find(manager, referralId, { lock: true });
      const refusal = row && referralAnswerRefusal(principal, { fromOrganisationId: row.from_organisation_id, toOrganisationId: row.to_organisation_id }, side);
      if (!row || refusal === 404) return { refusal: NOT_FOUND(), caseId: row?.case_id ?? null };
      if (refusal === 403) {
        return {
          refusal: Problem.forbidden(
            side === 'to' ? 'Only the target organisation answers a referral' : 'Only the referring organisation withdraws a referral',
          ),
          caseId: row.case_id,
        };
      }
      const legalBasis = await work(manager, row);
      if (legalBasis instanceof Problem) throw legalBasis;
      await this.audit.record(manager, { action, outcome: 'allowed', actor: principal, caseId: row.case_id, legalBasis, meta });
      return { view: this.toView((await this.referrals.find(manager, referralId))!) };
    });
    if ('refusal' in outcome) {
      await this.audit.recordNow({ action, outcome: 'denied', actor: principal, caseId: outcome.caseId, meta });
      throw outcome.refusal;
    }
    return outcome.view;
  }

  private async setStatus(manager: EntityManager, row: ReferralRow, status: ReferralStatus, userId: string, declineReason?: string): Promise<void> {
    await this.referrals.transition(manager, row, status, { by: userId, declineReason });
    await this.deadlines.cancelReferral(manager, row.id);
  }

  private requireOperational(principal: Principal): void {
    if (OPERATIONAL_ROLE[principal.organisationType] !== principal.role)
      throw Problem.forbidden('Referrals are handled by the operational staff of an organisation');
  }

  private async isMinor(manager: EntityManager, caseId: string): Promise<boolean> {
    const rows: Array<{ minor: boolean }> = await manager.query(`SELECT minor FROM "case" WHERE id = $1`, [caseId]);
    return rows[0]?.minor ?? false;
  }

  private async summaries(caseIds: string[]): Promise<Map<string, Record<string, unknown>>> {
    if (caseIds.length === 0) return new Map();
    const rows: Array<{ case_id: string; data: Record<string, unknown>; version: number }> = await this.dataSource.query(
      `SELECT case_id, data, version FROM case_section WHERE section = 'summary' AND case_id = ANY($1)`,
      [caseIds],
    );
    return new Map(rows.map((row) => [row.case_id, { ...row.data, version: row.version }]));
  }

  private openMessage(row: ReferralRow): string | null {
    if (!row.message_key_id || !row.message_ciphertext) return null;
    return this.sealer.open({ keyId: row.message_key_id, ciphertext: row.message_ciphertext }, referralMessageAssociatedData(row.id)).toString('utf8');
  }

  private toView(row: ReferralRow): ReferralView {
    return {
      id: row.id,
      caseId: row.case_id,
      caseReference: row.case_reference,
      fromOrganisationId: row.from_organisation_id,
      toOrganisationId: row.to_organisation_id,
      purpose: row.purpose,
      urgency: row.urgency,
      status: row.status,
      respondBy: row.respond_by.toISOString(),
      createdAt: row.created_at.toISOString(),
      answeredAt: row.answered_at?.toISOString() ?? null,
      ...(row.decline_reason ? { declineReason: row.decline_reason } : {}),
    };
  }
}
