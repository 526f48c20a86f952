import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { instanceToPlain } from 'class-transformer';
import type { DataSource, EntityManager } from 'typeorm';
import { type LoadedCase, AccessService, type Grant } from '../access/access.service';
import { type CaseAbility, CaseAction } from '../access/case-ability.factory';
import { SqlParams } from '../common/sql';
import { LegalBasis, Purpose, Section, SECTIONS, type SectionAccess } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestMeta } from '../access/principal';
import { keyset, type Page, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import { IdentityMatchingService } from '../matching/identity-matching.service';
import type { IdentityMatchDto } from '../matching/dto/identity-match.dto';
import { probeOfIdentity } from '../matching/blind-index';
import { DomainEventType } from '../outbox/domain-event';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { OutboxService } from '../outbox/outbox.service';
import { CaseSectionsStore } from './case-sections.store';
import type { CreateCaseDto, ListCasesQuery } from './dto/case.dto';
import { mergeSection, type SectionData } from './sections/sections';

export type SectionView = SectionData & { version: number };

export interface CaseSummaryView {
  id: string;
  reference: string;
  country: string;
  status: 'open' | 'closed';
  leadOrganisationId: string;
  createdAt: string;
  updatedAt: string;
  summary: SectionView;
}

export type CaseView = Omit<CaseSummaryView, 'summary'> &
  Partial<Record<Section, SectionView>> & {
    permissions: { sections: Partial<Record<Section, SectionAccess>>; actions: CaseAction[] };
    /** On create only: open cases of other agencies whose identity strongly matches (API.md, Finding cases). */
    possibleDuplicates?: IdentityMatchDto[];
  };

/** Decides whether a loaded case allows what is asked; a Problem (404/403/409) if not. */
type Authorization = (ability: CaseAbility, loaded: LoadedCase) => Problem | undefined;

const NOT_FOUND = (): Problem => Problem.notFound('Case not found');

/**
 * Every read and write of case data passes here: authorize with the request's ability, record
 * the access on the audit trail (denials too), then touch the data. Changes, their audit event
 * and their outbox events commit in one transaction.
 */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly sections: CaseSectionsStore,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly deadlines: DeadlinesService,
    private readonly matching: IdentityMatchingService,
  ) {}

  /** The case must be visible (else 404, so its existence does not leak) and allow `action` (else 403). */
  requireAction(action: CaseAction, section?: Section): Authorization {
    return (ability, loaded) => {
      if (!this.access.isVisible(ability, loaded)) return NOT_FOUND();
      if (!this.access.can(ability, action, loaded, section)) {
        if (loaded.status === 'closed' && this.access.can(ability, action, { ...loaded, status: 'open' }, section)) {
          return Problem.conflict('case-closed', 'The case is closed and read-only');
        }
        return Problem.forbidden(
          section ? `You may not ${action === CaseAction.Update ? 'change' : 'read'} the ${section} section of this case` : 'You may not do this on this case',
        );
      }
      return undefined;
    };
  }

  async create(principal: Principal, dto: CreateCaseDto, meta: RequestMeta): Promise<CaseView> {
    const ability = this.access.abilityFor(principal);
    if (!ability.can(CaseAction.Create, 'Case') || !principal.country) {
      await this.audit.recordNow({ action: AuditAction.CaseCreate, outcome: 'denied', actor: principal, meta });
      throw Problem.forbidden('Only police officers and labour inspectors open cases');
    }
    const country = principal.country;
    const given: Partial<Record<Section, SectionData>> = {
      [Section.Summary]: instanceToPlain(dto.summary),
      ...(dto.identity ? { [Section.Identity]: instanceToPlain(dto.identity) } : {}),
      ...(dto.investigation ? { [Section.Investigation]: instanceToPlain(dto.investigation) } : {}),
    };
    const summary = dto.summary;
    return this.dataSource.transaction(async (manager) => {
      const year = new Date().getUTCFullYear();
      const counter: Array<{ last_value: number }> = await manager.query(
        `INSERT INTO case_reference_counter (country, year, last_value) VALUES ($1, $2, 1)
         ON CONFLICT (country, year) DO UPDATE SET last_value = case_reference_counter.last_value + 1 RETURNING last_value`,
        [country, year],
      );
      const reference = `${country}-${year}-${String(counter[0]!.last_value).padStart(6, '0')}`;
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO "case" (reference, country, lead_organisation_id, minor, exploitation_types, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [reference, country, principal.organisationId, summary.minor, summary.exploitationTypes, principal.userId],
      );
      const caseId = inserted[0]!.id;
      for (const section of SECTIONS) await this.sections.insert(manager, caseId, section, given[section] ?? {}, principal.userId);
      const identity = given[Section.Identity];
      if (identity) await this.matching.reindex(manager, caseId, identity);
      await manager.query(`INSERT INTO participation (case_id, organisation_id, purpose, legal_basis) VALUES ($1, $2, $3, $4)`, [
        caseId,
        principal.organisationId,
        Purpose.Lead,
        LegalBasis.Lead,
      ]);
      const loaded = (await this.access.loadCase(manager, caseId))!;
      const view = await this.view(manager, ability, loaded);
      // Another agency may already hold a case for this person: tell the officer whom to contact, nothing more.
      const duplicates = identity
        ? await this.matching.find(manager, ability, probeOfIdentity(identity), { excludeCaseId: caseId, openOnly: true, strongOnly: true })
        : [];
      await this.audit.record(manager, {
        action: AuditAction.CaseCreate,
        outcome: 'allowed',
        actor: principal,
        caseId,
        caseOwner: loaded,
        sections: Object.keys(given),
        legalBasis: LegalBasis.Lead,
        meta,
      });
      if (identity) {
        await this.audit.record(manager, {
          action: AuditAction.CaseIdentityMatch,
          outcome: 'allowed',
          actor: principal,
          caseId,
          caseOwner: loaded,
          sections: [Section.Identity],
          legalBasis: LegalBasis.Lead,
          meta,
        });
      }
      return duplicates.length > 0 ? { ...view, possibleDuplicates: duplicates } : view;
    });
  }

  async list(principal: Principal, query: ListCasesQuery, meta: RequestMeta): Promise<Page<CaseSummaryView>> {
    const ability = this.access.abilityFor(principal);
    const { limit, after } = keyset(query, ['time', 'id']);
    const params = new SqlParams();
    const before = after ? { createdAt: after[0], id: after[1] } : undefined;
    const filters: string[] = [];
    if (query.status) filters.push(`c.status = ${params.add(query.status)}`);
    if (query.exploitationType) filters.push(`c.exploitation_types @> ARRAY[${params.add(query.exploitationType)}]::text[]`);
    if (query.country) filters.push(`c.country = ${params.add(query.country)}`);
    if (query.minor !== undefined) filters.push(`c.minor = ${params.add(query.minor)}`);
    // Reference searches select a handful of rows through the reference indexes, so the page is
    // cut from those (under the same access predicate) rather than from the participation walk.
    const byReference = query.reference !== undefined || query.q !== undefined;
    if (query.reference !== undefined) filters.push(`c.reference = ${params.add(query.reference)}`);
    if (query.q !== undefined) filters.push(`c.reference LIKE ${params.add(`${query.q}%`)}`);
    let pageQuery = byReference ? undefined : this.access.page(ability, CaseAction.Read, params, { limit: limit + 1, caseFilters: filters, before });
    if (!pageQuery) {
      const where = [this.access.predicate(ability, CaseAction.Read, 'c', params), ...filters];
      if (before) where.push(`(c.created_at, c.id) < (${params.add(before.createdAt)}::timestamptz, ${params.add(before.id)}::uuid)`);
      pageQuery = `SELECT c.id AS case_id FROM "case" c WHERE ${where.join(' AND ')} ORDER BY c.created_at DESC, c.id DESC LIMIT ${params.add(limit + 1)}`;
    }
    const rows: Array<{
      id: string;
      reference: string;
      country: string;
      status: 'open' | 'closed';
      lead_organisation_id: string;
      created_at: Date;
      created_key: string;
      updated_at: Date;
      data: SectionData;
      version: number;
    }> = await this.dataSource.query(
      `SELECT c.id, c.reference, c.country, c.status, c.lead_organisation_id, c.created_at, c.created_at::text AS created_key, c.updated_at, s.data, s.version
         FROM (${pageQuery}) page
         JOIN "case" c ON c.id = page.case_id
         JOIN case_section s ON s.case_id = c.id AND s.section = 'summary'
        ORDER BY c.created_at DESC, c.id DESC`,
      params.values,
    );
    await this.audit.recordNow({ action: AuditAction.CaseList, outcome: 'allowed', actor: principal, sections: [Section.Summary], meta });
    return toPage(
      rows,
      limit,
      (row) => ({
        id: row.id,
        reference: row.reference,
        country: row.country,
        status: row.status,
        leadOrganisationId: row.lead_organisation_id,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
        summary: { ...row.data, version: row.version },
      }),
      (row) => [row.created_key, row.id],
    );
  }

  async read(principal: Principal, caseId: string, meta: RequestMeta): Promise<CaseView> {
    const ability = this.access.abilityFor(principal);
    const loaded = await this.access.loadCase(this.dataSource.manager, caseId);
    if (!loaded || !this.access.isVisible(ability, loaded)) {
      await this.audit.recordNow({ action: AuditAction.CaseRead, outcome: 'denied', actor: principal, caseId, meta });
      throw NOT_FOUND();
    }
    const readable = this.access.readableSections(ability, loaded);
    // No access without a trace: the event is written before any data leaves.
    await this.audit.recordNow({
      action: AuditAction.CaseRead,
      outcome: 'allowed',
      actor: principal,
      caseId,
      caseOwner: loaded,
      sections: readable,
      legalBasis: this.access.legalBasis(principal, loaded, readable),
      meta,
    });
    return this.view(this.dataSource.manager, ability, loaded);
  }

  /**
   * `acknowledgeRelocation`: the caller knows that marking a placed victim as a minor leaves them
   * at a centre that takes no minors; without it that change is refused (422).
   */
  async updateSection(
    principal: Principal,
    caseId: string,
    section: Section,
    version: number,
    patch: SectionData,
    meta: RequestMeta,
    options: { acknowledgeRelocation?: boolean } = {},
  ): Promise<SectionView> {
    return this.mutate(
      principal,
      caseId,
      meta,
      { action: AuditAction.CaseSectionUpdate, sections: [section] },
      this.requireAction(CaseAction.Update, section),
      async (manager, loaded) => {
        const current = (await this.sections.read(manager, caseId, [section], { lock: true })).get(section);
        if (!current) throw new Error(`section ${section} of case ${caseId} is missing`);
        if (current.version !== version) {
          return Problem.conflict(
            'stale-version',
            `The ${section} section has changed since version ${version}; it is now at version ${current.version}. Read it again and retry.`,
          );
        }
        const merged = mergeSection(section, current.data, patch);
        const adultCentres =
          section === Section.Summary && merged.minor === true && current.data.minor !== true ? await this.adultOnlyPlacements(manager, caseId) : [];
        if (adultCentres.length > 0) {
          if (!options.acknowledgeRelocation) {
            return Problem.unprocessable(
              'minor-at-adult-centre',
              'The victim is placed at a centre that takes no minors; send acknowledgeRelocation: true to record it, and the centre and the lead organisation are told to relocate',
            );
          }
          await this.outbox.emit(manager, {
            type: DomainEventType.MinorAtAdultCentre,
            caseId,
            organisationIds: [...new Set([...adultCentres, loaded.leadOrganisationId])],
            actorUserId: principal.userId,
          });
        }
        await this.sections.write(manager, caseId, section, merged, version + 1, principal.userId);
        if (section === Section.Identity) await this.matching.reindex(manager, caseId, merged);
        if (section === Section.Summary) {
          await manager.query(`UPDATE "case" SET minor = $2, exploitation_types = $3, updated_at = now() WHERE id = $1`, [
            caseId,
            merged.minor,
            merged.exploitationTypes,
          ]);
        } else {
          await manager.query(`UPDATE "case" SET updated_at = now() WHERE id = $1`, [caseId]);
        }
        await this.audit.record(manager, {
          action: AuditAction.CaseSectionUpdate,
          outcome: 'allowed',
          actor: principal,
          caseId,
          caseOwner: loaded,
          sections: [section],
          legalBasis: this.access.legalBasis(principal, loaded, [section]),
          meta,
        });
        return { ...merged, version: version + 1 };
      },
    );
  }

  async close(
    principal: Principal,
    caseId: string,
    reason: string,
    meta: RequestMeta,
  ): Promise<{ id: string; reference: string; status: 'closed'; closeReason: string; closedAt: string }> {
    return this.mutate(principal, caseId, meta, { action: AuditAction.CaseClose }, this.requireAction(CaseAction.Close), async (manager, loaded) => {
      // TypeORM answers an UPDATE with [rows, affected count].
      const [closed]: [Array<{ closed_at: Date }>, number] = await manager.query(
        `UPDATE "case" SET status = 'closed', close_reason = $2, closed_at = now(), updated_at = now() WHERE id = $1 RETURNING closed_at`,
        [caseId, reason],
      );
      await this.releaseBeds(manager, caseId);
      const [withdrawn]: [Array<{ id: string; to_organisation_id: string }>, number] = await manager.query(
        `UPDATE referral SET status = 'withdrawn', answered_at = now(), answered_by = $2 WHERE case_id = $1 AND status = 'pending' RETURNING id, to_organisation_id`,
        [caseId, principal.userId],
      );
      for (const referral of withdrawn) {
        await this.deadlines.cancelReferral(manager, referral.id);
        await this.outbox.emit(manager, {
          type: DomainEventType.ReferralWithdrawn,
          caseId,
          referralId: referral.id,
          organisationIds: [referral.to_organisation_id],
          actorUserId: principal.userId,
        });
      }
      await this.deadlines.cancelReflectionPeriod(manager, caseId);
      await this.outbox.emit(manager, {
        type: DomainEventType.CaseClosed,
        caseId,
        organisationIds: [...new Set(loaded.participations.map((p) => p.organisationId))].filter((id) => id !== principal.organisationId),
        actorUserId: principal.userId,
      });
      await this.audit.record(manager, {
        action: AuditAction.CaseClose,
        outcome: 'allowed',
        actor: principal,
        caseId,
        caseOwner: loaded,
        legalBasis: this.access.legalBasis(principal, loaded, [Section.Summary]),
        meta,
      });
      return { id: caseId, reference: loaded.reference, status: 'closed' as const, closeReason: reason, closedAt: closed[0]!.closed_at.toISOString() };
    });
  }

  async explain(principal: Principal, caseId: string, meta: RequestMeta): Promise<{ grants: Grant[]; actions: CaseAction[] }> {
    const ability = this.access.abilityFor(principal);
    const loaded = await this.access.loadCase(this.dataSource.manager, caseId);
    if (!loaded || !this.access.isVisible(ability, loaded)) {
      await this.audit.recordNow({ action: AuditAction.CaseAccessExplain, outcome: 'denied', actor: principal, caseId, meta });
      throw NOT_FOUND();
    }
    await this.audit.recordNow({ action: AuditAction.CaseAccessExplain, outcome: 'allowed', actor: principal, caseId, caseOwner: loaded, meta });
    return { grants: this.access.grants(principal, loaded), actions: this.access.permissions(ability, loaded).actions };
  }

  /**
   * The shared shape of every change to a case: lock the case, authorize against its current
   * participations, do the work (which records its audit event last), commit. A refusal is
   * recorded as a denied event in its own transaction, after the rollback, then raised.
   * `work` may return a Problem to refuse after looking at the data (e.g. a stale version).
   */
  async mutate<T>(
    principal: Principal,
    caseId: string,
    meta: RequestMeta,
    denial: { action: AuditAction; sections?: readonly Section[]; justification?: string },
    authorize: Authorization,
    work: (manager: EntityManager, loaded: LoadedCase, ability: CaseAbility) => Promise<T | Problem>,
  ): Promise<T> {
    const ability = this.access.abilityFor(principal);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const loaded = await this.access.loadCase(manager, caseId, { lock: true });
      const refusal = loaded ? authorize(ability, loaded) : NOT_FOUND();
      if (refusal) return { refusal, audited: refusal.statusCode === 403 || refusal.statusCode === 404 };
      const result = await work(manager, loaded!, ability);
      if (result instanceof Problem) throw result;
      return { result };
    });
    if ('refusal' in outcome) {
      if (outcome.audited) {
        await this.audit.recordNow({
          action: denial.action,
          outcome: 'denied',
          actor: principal,
          caseId,
          sections: denial.sections,
          justification: denial.justification,
          meta,
        });
      }
      throw outcome.refusal;
    }
    return outcome.result;
  }

  /** The centres that hold a bed for the victim of this case and take no minors. */
  private async adultOnlyPlacements(manager: EntityManager, caseId: string): Promise<string[]> {
    const rows: Array<{ organisation_id: string }> = await manager.query(
      `SELECT p.organisation_id FROM participation p JOIN organisation o ON o.id = p.organisation_id
        WHERE p.case_id = $1 AND p.holds_bed AND p.revoked_at IS NULL AND NOT COALESCE(o.accepts_minors, false)`,
      [caseId],
    );
    return rows.map((row) => row.organisation_id);
  }

  /** Ends every bed-holding placement of the case: the centres get their beds back. */
  async releaseBeds(manager: EntityManager, caseId: string): Promise<void> {
    const [released]: [Array<{ organisation_id: string }>, number] = await manager.query(
      `UPDATE participation SET holds_bed = false WHERE case_id = $1 AND holds_bed RETURNING organisation_id`,
      [caseId],
    );
    await this.releaseBedsOf(
      manager,
      released.map((row) => row.organisation_id),
    );
  }

  /** One bed back to each listed centre (a centre listed twice gets two). */
  async releaseBedsOf(manager: EntityManager, organisationIds: string[]): Promise<void> {
    if (organisationIds.length === 0) return;
    await manager.query(
      `UPDATE organisation o SET beds_available = o.beds_available + r.beds, updated_at = now()
         FROM (SELECT id, count(*)::int AS beds FROM unnest($1::uuid[]) AS id GROUP BY id) r
        WHERE o.id = r.id`,
      [organisationIds],
    );
  }

  private async view(manager: EntityManager, ability: CaseAbility, loaded: LoadedCase): Promise<CaseView> {
    const permissions = this.access.permissions(ability, loaded);
    const readable = this.access.readableSections(ability, loaded);
    const stored = await this.sections.read(manager, loaded.id, readable);
    const view: CaseView = {
      id: loaded.id,
      reference: loaded.reference,
      country: loaded.country,
      status: loaded.status,
      leadOrganisationId: loaded.leadOrganisationId,
      createdAt: loaded.createdAt.toISOString(),
      updatedAt: loaded.updatedAt.toISOString(),
      permissions,
    };
    for (const section of readable) {
      const entry = stored.get(section);
      if (entry) view[section] = { ...entry.data, version: entry.version };
    }
    return view;
  }
}
