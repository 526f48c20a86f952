import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { CaseAction } from '../access/case-ability.factory';
import { BREAK_GLASS_HOURS, BREAK_GLASS_SECTIONS, LegalBasis } from '../access/policy';
import type { Principal, RequestMeta } from '../access/principal';
import { auditScopeCovers, auditScopeOf, mayReviewBreakGlass } from '../access/supervisor-scope';
import { AuditAction } from '../audit/audit-action';
import { type AuditCaseOwner, AuditService } from '../audit/audit.service';
import { CASE_NOT_FOUND, CaseCommand } from '../cases/case-command';
import { keyset, type Page, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { type GrantRow, BreakGlassRepository } from './break-glass.repository';
import type { BreakGlassGrantDto, BreakGlassVerdict } from './dto/break-glass.dto';

/**
 * Emergency access: an operational user of the case's country whose organisation does not take
 * part opens summary and identity for a few hours. Flagged, notified, listed for the supervisors,
 * who review each use once.
 */
@Injectable()
export class BreakGlassService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly grants: BreakGlassRepository,
    private readonly command: CaseCommand,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly deadlines: DeadlinesService,
    private readonly outbox: OutboxService,
  ) {}

  grant(principal: Principal, caseId: string, justification: string, meta: RequestMeta): Promise<{ id: string; expiresAt: string }> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.BreakGlass,
      sections: BREAK_GLASS_SECTIONS,
      justification,
      authorize: (ability, loaded) => {
        if (this.access.can(ability, CaseAction.BreakGlass, loaded)) return undefined;
        if (this.access.isVisible(ability, loaded)) return Problem.forbidden('Your organisation takes part in this case; break-glass is for those who do not');
        return CASE_NOT_FOUND();
      },
      work: async ({ manager, loaded }) => {
        const grant = await this.grants.insert(manager, {
          caseId,
          userId: principal.userId,
          organisationId: principal.organisationId,
          justification,
          hours: BREAK_GLASS_HOURS,
        });
        await this.deadlines.scheduleBreakGlassReview(manager, {
          caseId,
          breakGlassId: grant.id,
          grantedAt: new Date(),
          organisationIds: [loaded.leadOrganisationId],
        });
        return {
          result: { id: grant.id, expiresAt: grant.expiresAt.toISOString() },
          events: [
            {
              type: DomainEventType.BreakGlassUsed,
              caseId,
              breakGlassId: grant.id,
              organisationIds: [loaded.leadOrganisationId],
              actorUserId: principal.userId,
            },
          ],
          legalBasis: LegalBasis.BreakGlass,
        };
      },
    });
  }

  async list(principal: Principal, query: { reviewed?: boolean; limit?: number; cursor?: string }, meta: RequestMeta): Promise<Page<BreakGlassGrantDto>> {
    const { limit, after } = keyset(query, ['id']);
    await this.audit.recordNow({ action: AuditAction.AuditQuery, outcome: 'allowed', actor: principal, meta });
    const rows = await this.grants.page(auditScopeOf(principal), { reviewed: query.reviewed, after: after?.[0], limit });
    return toPage(rows, limit, grantView, (row) => [row.id]);
  }

  async review(principal: Principal, grantId: string, review: { note: string; verdict: BreakGlassVerdict }, meta: RequestMeta): Promise<BreakGlassGrantDto> {
    const grant = await this.grants.find(this.dataSource.manager, grantId);
    const denied = { action: AuditAction.BreakGlassReview, outcome: 'denied' as const, actor: principal, meta };
    if (!grant) {
      await this.audit.recordNow(denied);
      throw Problem.notFound('Break-glass grant not found');
    }
    const caseOwner: AuditCaseOwner = { leadOrganisationId: grant.lead_organisation_id, country: grant.case_country };
    const facts = {
      actorOrganisationId: grant.organisation_id,
      actorCountry: grant.organisation_country,
      caseLeadOrganisationId: grant.lead_organisation_id,
      caseCountry: grant.case_country,
    };
    // Outside the supervisor's audit scope the grant is not theirs to know of: 404, as for an unknown id.
    if (!auditScopeCovers(auditScopeOf(principal), facts)) {
      await this.audit.recordNow({ ...denied, caseId: grant.case_id, caseOwner });
      throw Problem.notFound('Break-glass grant not found');
    }
    if (!mayReviewBreakGlass(principal, caseOwner)) {
      await this.audit.recordNow({ ...denied, caseId: grant.case_id, caseOwner });
      throw Problem.forbidden("Only the supervisors of the case's lead organisation and the oversight of its country review a break-glass use");
    }
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.grants.markReviewed(manager, grantId, { reviewerId: principal.userId, ...review }))) {
        throw Problem.conflict('already-reviewed', 'This break-glass use has already been reviewed');
      }
      // An unjustified use is the lead organisation's to follow up: told through the outbox, in this transaction.
      if (review.verdict === 'not_justified') {
        await this.outbox.emit(manager, {
          type: DomainEventType.BreakGlassNotJustified,
          caseId: grant.case_id,
          breakGlassId: grantId,
          organisationIds: [grant.lead_organisation_id],
          actorUserId: principal.userId,
        });
      }
      await this.audit.record(manager, {
        action: AuditAction.BreakGlassReview,
        outcome: 'allowed',
        actor: principal,
        caseId: grant.case_id,
        caseOwner,
        legalBasis: LegalBasis.BreakGlass,
        meta,
      });
      return grantView((await this.grants.find(manager, grantId))!);
    });
  }
}

function grantView(row: GrantRow): BreakGlassGrantDto {
  return {
    id: row.id,
    caseId: row.case_id,
    caseReference: row.reference,
    userId: row.user_id,
    organisationId: row.organisation_id,
    user: { id: row.user_id, name: row.user_name },
    organisation: {
      id: row.organisation_id,
      slug: row.organisation_slug,
      name: row.organisation_name,
      type: row.organisation_type,
      country: row.organisation_country,
    },
    justification: row.justification,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    reviewedAt: row.reviewed_at?.toISOString() ?? null,
    reviewedBy: row.reviewed_by,
    reviewer: row.reviewed_by ? { id: row.reviewed_by, name: row.reviewer_name ?? '' } : null,
    reviewNote: row.review_note,
    verdict: row.review_verdict,
  };
}
