import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { instanceToPlain } from 'class-transformer';
import type { DataSource, EntityManager } from 'typeorm';
import { type LoadedCase, AccessService, type Grant } from '../access/access.service';
import { type CaseAbility, CaseAction } from '../access/case-ability.factory';
import { SqlParams } from '../common/sql';
import { LegalBasis, Section, SECTIONS, type SectionAccess } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestMeta } from '../access/principal';
import { Sealer } from '../common/crypto';
import { keyset, type Page, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import { organisationRefs, type OrganisationRefDto, userNames, type UserNameDto } from '../common/readable';
import { IdentityMatchingService } from '../matching/identity-matching.service';
import type { IdentityMatchDto } from '../matching/dto/identity-match.dto';
import { probeOfIdentity } from '../matching/blind-index';
import { type Authorization, CASE_NOT_FOUND, CaseCommand, sectionsOf, type SectionsOf, withAnonymisedGone } from './case-command';
import { CaseClosureRepository } from './case-closure.repository';
import { closureView, reopeningView } from './case-closure.views';
import { CaseLifecycle } from './case-lifecycle';
import type { CaseClosureDto, CaseReopeningDto } from './dto/case-response.dto';
import { CaseRepository } from './case.repository';
import { CaseSectionsStore, type StoredSection } from './case-sections.store';
import type { CreateCaseDto, ListCasesQuery } from './dto/case.dto';
import type { SectionData } from './sections/sections';

export type SectionView = SectionData & { version: number };

export type ReadableGrant = Omit<Grant, 'userId'> & { organisation: OrganisationRefDto; user?: UserNameDto };

export interface CaseSummaryView {
  id: string;
  reference: string;
  country: string;
  status: 'open' | 'closed';
  /** Open, but its closing waits for the prosecution's approval (list items only; the case view has `closure`). */
  closing?: boolean;
  leadOrganisationId: string;
  createdAt: string;
  updatedAt: string;
  summary: SectionView;
}

export type CaseView = Omit<CaseSummaryView, 'summary'> &
  Partial<Record<Section, SectionView>> & {
    closedAt: string | null;
    legalHold: { since: string; reason: string } | null;
    permissions: { sections: Partial<Record<Section, SectionAccess>>; actions: CaseAction[] };
    /** On create only: open cases of other agencies whose identity strongly matches (API.md, Finding cases). */
    possibleDuplicates?: IdentityMatchDto[];
    /** The newest closing the prosecution had to decide, and the newest reopening. */
    closure?: CaseClosureDto;
    reopening?: CaseReopeningDto;
  };

/** An audited read of one case: who may, and what its audit event names. */
export interface CaseReadSpec {
  principal: Principal;
  caseId: string;
  meta: RequestMeta;
  action: AuditAction;
  /** Default: the case must be visible, else 404. */
  authorize?: Authorization;
  /** The refusal when there is no such case (default: 404 Case not found). */
  notFound?: () => Problem;
  sections?: SectionsOf;
  /** The sections whose legal basis the event records (default: `sections`; null: none). */
  basis?: SectionsOf | null;
  /** Record the event before reading, for reads that must see their own event (the subject report lists it). */
  auditFirst?: boolean;
}

/**
 * Opening, listing and reading cases. Every read of case data, here or in another feature, goes
 * through `readCase`: authorize with the request's ability, record the access on the audit trail
 * (denials too), and let no data out before its event is written. Changes go through CaseCommand.
 */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly cases: CaseRepository,
    private readonly sections: CaseSectionsStore,
    private readonly audit: AuditService,
    private readonly matching: IdentityMatchingService,
    private readonly lifecycle: CaseLifecycle,
    private readonly command: CaseCommand,
    private readonly closures: CaseClosureRepository,
    private readonly sealer: Sealer,
  ) {}

  create(principal: Principal, dto: CreateCaseDto, meta: RequestMeta): Promise<CaseView> {
    const given: Partial<Record<Section, SectionData>> = {
      [Section.Summary]: instanceToPlain(dto.summary),
      ...(dto.identity ? { [Section.Identity]: instanceToPlain(dto.identity) } : {}),
      ...(dto.investigation ? { [Section.Investigation]: instanceToPlain(dto.investigation) } : {}),
    };
    const summary = dto.summary;
    return this.command.open({
      principal,
      meta,
      action: AuditAction.CaseCreate,
      authorize: (ability) =>
        ability.can(CaseAction.Create, 'Case') && principal.country ? undefined : Problem.forbidden('Only police officers and labour inspectors open cases'),
      work: async ({ manager, ability }) => {
        const { id: caseId } = await this.cases.insert(manager, {
          country: principal.country!,
          leadOrganisationId: principal.organisationId,
          minor: summary.minor,
          exploitationTypes: summary.exploitationTypes,
          createdBy: principal.userId,
        });
        for (const section of SECTIONS) await this.sections.insert(manager, caseId, section, given[section] ?? {}, principal.userId);
        const identity = given[Section.Identity];
        if (identity) await this.matching.reindex(manager, caseId, identity);
        await this.lifecycle.opened(manager, { caseId, organisationId: principal.organisationId });
        if (identity) await this.lifecycle.nationalityRecorded(manager, { caseId, nationality: nationalityOf(identity) });
        const loaded = (await this.access.loadCase(manager, caseId))!;
        const view = await this.view(manager, ability, loaded);
        // Another agency may already hold a case for this person: tell the officer whom to contact, nothing more.
        const duplicates = identity
          ? await this.matching.find(manager, ability, probeOfIdentity(identity), { excludeCaseId: caseId, openOnly: true, strongOnly: true })
          : [];
        return {
          caseId,
          result: duplicates.length > 0 ? { ...view, possibleDuplicates: duplicates } : view,
          legalBasis: LegalBasis.Lead,
          audited: [
            { action: AuditAction.CaseCreate, sections: Object.keys(given) as Section[] },
            ...(identity ? [{ action: AuditAction.CaseIdentityMatch, sections: [Section.Identity] }] : []),
          ],
        };
      },
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
    const rows = await this.cases.list(pageQuery, params);
    await this.audit.recordNow({ action: AuditAction.CaseList, outcome: 'allowed', actor: principal, sections: [Section.Summary], meta });
    return toPage(
      rows,
      limit,
      (row) => ({
        id: row.id,
        reference: row.reference,
        country: row.country,
        status: row.status,
        closing: row.closing,
        leadOrganisationId: row.lead_organisation_id,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
        summary: { ...row.data, version: row.version },
      }),
      (row) => [row.created_key, row.id],
    );
  }

  read(principal: Principal, caseId: string, meta: RequestMeta): Promise<CaseView> {
    return this.readCase({ principal, caseId, meta, action: AuditAction.CaseRead, sections: this.readable }, ({ manager, ability, loaded }) =>
      this.view(manager, ability, loaded),
    );
  }

  /** Why the caller sees the case, each grant with its organisation (and a break-glass grant's user) by name (API.md, Readable context). */
  explain(principal: Principal, caseId: string, meta: RequestMeta): Promise<{ grants: ReadableGrant[]; actions: CaseAction[] }> {
    return this.readCase({ principal, caseId, meta, action: AuditAction.CaseAccessExplain, basis: null }, async ({ manager, ability, loaded }) => {
      const grants = this.access.grants(principal, loaded);
      const organisations = await organisationRefs(
        manager,
        grants.map((grant) => grant.organisationId),
      );
      const users = await userNames(
        manager,
        grants.flatMap((grant) => (grant.userId ? [grant.userId] : [])),
      );
      return {
        grants: grants.map(({ userId, ...grant }) => ({
          ...grant,
          organisation: organisations.get(grant.organisationId)!,
          ...(userId ? { user: users.get(userId)! } : {}),
        })),
        actions: this.access.permissions(ability, loaded).actions,
      };
    });
  }

  /** What the caller may read of a case. */
  readonly readable: SectionsOf = (ability, loaded) => this.access.readableSections(ability, loaded);

  /**
   * The one audited read path: the case is loaded and authorized; a refusal is recorded (denied)
   * and raised; otherwise `read` runs and its result leaves only after the allowed event is
   * written (or, with `auditFirst`, the event is written before `read` runs).
   */
  async readCase<T>(spec: CaseReadSpec, read: (context: { manager: EntityManager; ability: CaseAbility; loaded: LoadedCase }) => Promise<T>): Promise<T> {
    const ability = this.access.abilityFor(spec.principal);
    const manager = this.dataSource.manager;
    const loaded = await this.access.loadCase(manager, spec.caseId);
    const authorize = withAnonymisedGone(spec.authorize ?? ((a, l) => (this.access.isVisible(a, l) ? undefined : CASE_NOT_FOUND())));
    const refusal = loaded ? authorize(ability, loaded) : (spec.notFound ?? CASE_NOT_FOUND)();
    if (refusal) {
      // 410 is no refusal of this caller: the content is gone for everyone.
      if (refusal.statusCode === 410) throw refusal;
      await this.audit.recordNow({ action: spec.action, outcome: 'denied', actor: spec.principal, caseId: spec.caseId, meta: spec.meta });
      throw refusal;
    }
    const sections = spec.sections ? sectionsOf(spec.sections, ability, loaded!) : undefined;
    const basis = spec.basis === null ? undefined : spec.basis ? sectionsOf(spec.basis, ability, loaded!) : sections;
    const record = (): Promise<void> =>
      this.audit.recordNow({
        action: spec.action,
        outcome: 'allowed',
        actor: spec.principal,
        caseId: spec.caseId,
        caseOwner: loaded,
        sections,
        legalBasis: basis ? this.access.legalBasis(spec.principal, loaded!, basis) : undefined,
        meta: spec.meta,
      });
    if (spec.auditFirst) {
      await record();
      return read({ manager, ability, loaded: loaded! });
    }
    const result = await read({ manager, ability, loaded: loaded! });
    await record();
    return result;
  }

  /** Stored sections of a case, for a reader inside `readCase` that has decided which it may see. */
  storedSections(manager: EntityManager, caseId: string, sections: readonly Section[]): Promise<Map<Section, StoredSection>> {
    return this.sections.read(manager, caseId, sections);
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
      closedAt: loaded.closedAt?.toISOString() ?? null,
      legalHold: loaded.legalHold ? { since: loaded.legalHold.since.toISOString(), reason: loaded.legalHold.reason } : null,
      permissions,
    };
    for (const section of readable) {
      const entry = stored.get(section);
      if (entry) view[section] = { ...entry.data, version: entry.version };
    }
    const [closure, reopening] = await Promise.all([this.closures.latest(manager, loaded.id), this.closures.latestReopening(manager, loaded.id)]);
    if (closure) view.closure = closureView(this.sealer, closure);
    if (reopening) view.reopening = reopeningView(this.sealer, reopening);
    return view;
  }
}

/** The identity's nationality, when it is a valid ISO 3166-1 alpha-2 code (the schema validates it). */
export function nationalityOf(identity: SectionData): string | null {
  const nationality = typeof identity.nationality === 'string' ? identity.nationality.toUpperCase() : '';
  return /^[A-Z]{2}$/.test(nationality) ? nationality : null;
}
