import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CaseAction } from '../access/case-ability.factory';
import { Purpose, Section } from '../access/policy';
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
import { OPERATIONAL_ROLE } from '../access/role';
import { ConsentRepository } from '../participation/consent.repository';
import type { CreateReferralDto, ListReferralsQuery } from './dto/referral.dto';
import { referralMessageAssociatedData } from './referral-message';
import { ANSWER_HOURS, consentRequired, ReferralStatus, TARGET_TYPE } from './referral-rules';
import { ReferralRepository, type ReferralRow } from './referral.repository';
import { toReferralView, type ReferralView } from './referral-view';

/**
 * How a victim moves between agencies: a participating organisation refers the case (answers are
 * in referral-answers.service.ts), and each organisation lists its incoming and outgoing
 * referrals, incoming pending ones with their brief.
 */
@Injectable()
export class ReferralsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly command: CaseCommand,
    private readonly referrals: ReferralRepository,
    private readonly consents: ConsentRepository,
    private readonly audit: AuditService,
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
          result: toReferralView(row),
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
        const view = toReferralView(row);
        if (briefed.includes(row)) view.brief = { summary: summaries.get(row.case_id) ?? {}, message: this.openMessage(row) };
        return view;
      },
      (row) => [row.created_key!, row.id],
    );
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
}
