import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { CaseAction } from '../access/case-ability.factory';
import { Purpose, Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestMeta } from '../access/principal';
import { CasesService } from '../cases/cases.service';
import { referralMessageAssociatedData } from '../cases/key-rotation';
import { Sealer } from '../common/crypto';
import { keyset, type Page, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import { SqlParams } from '../common/sql';
import { type Country, OrganisationType } from '../access/organisation-type';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { OPERATIONAL_ROLE } from '../access/role';
import type { CreateReferralDto, ListReferralsQuery } from './dto/referral.dto';
import { ANSWER_HOURS, assertTransition, consentRequired, legalBasisFor, ReferralStatus, TARGET_TYPE, type Urgency } from './referral-rules';

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

interface ReferralRow {
  id: string;
  case_id: string;
  case_reference: string;
  case_country: Country;
  case_minor: boolean;
  from_organisation_id: string;
  to_organisation_id: string;
  purpose: Purpose;
  urgency: Urgency;
  status: ReferralStatus;
  respond_by: Date;
  created_at: Date;
  created_key?: string;
  answered_at: Date | null;
  decline_reason: string | null;
  consent_id: string | null;
  message_key_id: string | null;
  message_ciphertext: Buffer | null;
}

const SELECT_REFERRAL = `
  SELECT r.id, r.case_id, c.reference AS case_reference, c.country AS case_country, c.minor AS case_minor, r.from_organisation_id, r.to_organisation_id,
         r.purpose, r.urgency, r.status, r.respond_by, r.created_at, r.created_at::text AS created_key, r.answered_at, r.decline_reason, r.consent_id,
         r.message_key_id, r.message_ciphertext
    FROM referral r JOIN "case" c ON c.id = r.case_id`;

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
    private readonly cases: CasesService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly deadlines: DeadlinesService,
    private readonly sealer: Sealer,
  ) {}

  async create(principal: Principal, caseId: string, dto: CreateReferralDto, meta: RequestMeta): Promise<ReferralView> {
    return this.cases.mutate(
      principal,
      caseId,
      meta,
      { action: AuditAction.ReferralCreate },
      this.cases.requireAction(CaseAction.Refer),
      async (manager, loaded) => {
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
        let consentId: string | null = null;
        if (dto.consent && needsConsent) {
          const consents: Array<{ id: string }> = await manager.query(
            `INSERT INTO consent (case_id, organisation_id, given_by, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
            [caseId, target.id, dto.consent.by, dto.consent.recordedAt, principal.userId],
          );
          consentId = consents[0]!.id;
        }
        const id = randomUUID();
        const sealed = dto.message ? this.sealer.seal(Buffer.from(dto.message, 'utf8'), referralMessageAssociatedData(id)) : undefined;
        try {
          await manager.query(
            `INSERT INTO referral (id, case_id, from_organisation_id, to_organisation_id, purpose, urgency, message_key_id, message_ciphertext, consent_id, respond_by, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(hours => $10), $11)`,
            [
              id,
              caseId,
              principal.organisationId,
              target.id,
              dto.purpose,
              dto.urgency,
              sealed?.keyId ?? null,
              sealed?.ciphertext ?? null,
              consentId,
              ANSWER_HOURS[dto.urgency],
              principal.userId,
            ],
          );
        } catch (error) {
          if ((error as { code?: string }).code === '23505')
            return Problem.conflict('duplicate-referral', 'A referral of this case to this organisation is already pending');
          throw error;
        }
        const row = (await this.findRow(manager, id))!;
        await this.deadlines.scheduleReferral(manager, { caseId, referralId: id, createdAt: row.created_at, respondBy: row.respond_by });
        await this.outbox.emit(manager, {
          type: DomainEventType.ReferralReceived,
          caseId,
          referralId: id,
          organisationIds: [target.id],
          actorUserId: principal.userId,
        });
        await this.audit.record(manager, {
          action: AuditAction.ReferralCreate,
          outcome: 'allowed',
          actor: principal,
          caseId,
          legalBasis: this.access.legalBasis(principal, loaded, [Section.Summary]),
          meta,
        });
        return this.toView(row);
      },
    );
  }

  async list(principal: Principal, query: ListReferralsQuery, meta: RequestMeta): Promise<Page<ReferralView>> {
    this.requireOperational(principal);
    const { limit, after } = keyset(query, ['time', 'id']);
    const params = new SqlParams();
    const organisation = params.add(principal.organisationId);
    const where = [query.direction === 'incoming' ? `r.to_organisation_id = ${organisation}` : `r.from_organisation_id = ${organisation}`];
    if (query.status) where.push(`r.status = ${params.add(query.status)}`);
    if (after) where.push(`(r.created_at, r.id) < (${params.add(after[0])}::timestamptz, ${params.add(after[1])}::uuid)`);
    const rows: ReferralRow[] = await this.dataSource.query(
      `${SELECT_REFERRAL} WHERE ${where.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
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
    return this.answer(principal, referralId, meta, AuditAction.ReferralAccept, 'to', async (manager, row) => {
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
        const placed: unknown[] = await manager.query(`SELECT 1 FROM participation WHERE case_id = $1 AND holds_bed AND revoked_at IS NULL`, [row.case_id]);
        if (placed.length > 0) return PLACEMENT_ACTIVE();
        // The decrement is the capacity check: with one bed left, exactly one concurrent accept wins.
        const [taken]: [unknown[], number] = await manager.query(
          `UPDATE organisation SET beds_available = beds_available - 1, updated_at = now() WHERE id = $1 AND beds_available > 0 RETURNING id`,
          [row.to_organisation_id],
        );
        if (taken.length === 0) return Problem.conflict('no-free-bed', 'The reception centre has no free bed');
      }
      const legalBasis = legalBasisFor(target.type, row.case_country, target.country);
      try {
        await manager.query(
          `INSERT INTO participation (case_id, organisation_id, purpose, legal_basis, consent_id, referral_id, holds_bed) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [row.case_id, row.to_organisation_id, row.purpose, legalBasis, legalBasis === 'consent' ? row.consent_id : null, row.id, holdsBed],
        );
      } catch (error) {
        if ((error as { driverError?: { constraint?: string } }).driverError?.constraint === 'participation_one_placement_uq') return PLACEMENT_ACTIVE();
        throw error;
      }
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
    return this.answer(principal, referralId, meta, AuditAction.ReferralDecline, 'to', async (manager, row) => {
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
    return this.answer(principal, referralId, meta, AuditAction.ReferralWithdraw, 'from', async (manager, row) => {
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
      const row = await this.findRow(manager, referralId, { lock: true });
      const involved = row && (row.to_organisation_id === principal.organisationId || row.from_organisation_id === principal.organisationId);
      if (!row || !involved) return { refusal: NOT_FOUND(), caseId: row?.case_id ?? null };
      const answering = side === 'to' ? row.to_organisation_id : row.from_organisation_id;
      if (answering !== principal.organisationId || OPERATIONAL_ROLE[principal.organisationType] !== principal.role) {
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
      return { view: this.toView((await this.findRow(manager, referralId))!) };
    });
    if ('refusal' in outcome) {
      await this.audit.recordNow({ action, outcome: 'denied', actor: principal, caseId: outcome.caseId, meta });
      throw outcome.refusal;
    }
    return outcome.view;
  }

  private async setStatus(manager: EntityManager, row: ReferralRow, status: ReferralStatus, userId: string, declineReason?: string): Promise<void> {
    await manager.query(`UPDATE referral SET status = $2, answered_at = now(), answered_by = $3, decline_reason = $4 WHERE id = $1`, [
      row.id,
      status,
      userId,
      declineReason ?? null,
    ]);
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

  private async findRow(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<ReferralRow | undefined> {
    const rows: ReferralRow[] = await manager.query(`${SELECT_REFERRAL} WHERE r.id = $1 ${options.lock ? 'FOR UPDATE OF r' : ''}`, [id]);
    return rows[0];
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
