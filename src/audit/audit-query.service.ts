import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SqlParams } from '../access/case-sql-filter';
import type { Principal, RequestMeta } from '../auth/principal';
import { decodeCursor, encodeCursor, type Page } from '../common/pagination';
import { Problem } from '../common/problem';
import { AuditAction } from './audit-action';
import { csvLine } from './audit-csv';
import { type AuditScope, auditEventScopeColumns, auditScopeCovers, auditScopeOf, auditScopePredicate } from './audit-scope';
import { type AuditCaseOwner, AuditService } from './audit.service';
import type { AuditEventDto, AuditFiltersDto, BreakGlassGrantDto } from './dto/audit.dto';

const DEFAULT_LIMIT = 25;

interface EventRow {
  seq: string;
  id: string;
  at: Date;
  actor_user_id: string | null;
  actor_organisation_id: string | null;
  actor_role: string | null;
  action: string;
  case_id: string | null;
  sections: string[] | null;
  outcome: string;
  legal_basis: string | null;
  justification: string | null;
  request_id: string | null;
  ip: string | null;
}

const EVENT_COLUMNS = `e.seq::text AS seq, e.id, e.at, e.actor_user_id, e.actor_organisation_id, e.actor_role, e.action, e.case_id, e.sections,
  e.outcome, e.legal_basis, e.justification, e.request_id, e.ip`;

const MAX_SEQ = '9223372036854775807';
const firstSeqAtOrAfter = (time: string): string => `SELECT b.seq FROM audit_event b WHERE b.at >= ${time} ORDER BY b.at, b.seq LIMIT 1`;

const CSV_HEADER = [
  'id',
  'at',
  'actorUserId',
  'actorOrganisationId',
  'actorRole',
  'action',
  'caseId',
  'sections',
  'outcome',
  'legalBasis',
  'justification',
  'requestId',
  'ip',
];

interface GrantRow {
  id: string;
  case_id: string;
  reference: string;
  user_id: string;
  organisation_id: string;
  organisation_country: string | null;
  lead_organisation_id: string;
  case_country: string;
  justification: string;
  created_at: Date;
  expires_at: Date;
  reviewed_at: Date | null;
  reviewed_by: string | null;
  review_note: string | null;
}

const GRANT_FROM = `break_glass_grant g JOIN "case" c ON c.id = g.case_id JOIN organisation o ON o.id = g.organisation_id`;
const GRANT_COLUMNS = `g.id, g.case_id, c.reference, g.user_id, g.organisation_id, o.country AS organisation_country, c.lead_organisation_id,
  c.country AS case_country, g.justification, g.created_at, g.expires_at, g.reviewed_at, g.reviewed_by, g.review_note`;
const GRANT_SCOPE_COLUMNS = {
  actorOrganisationId: 'g.organisation_id',
  actorCountry: 'o.country',
  caseLeadOrganisationId: 'c.lead_organisation_id',
  caseCountry: 'c.country',
};

/**
 * The supervisors' side of the audit trail. Every answer is itself audited first (record, then
 * answer): a query whose trace cannot be written answers 503 and shows nothing.
 */
@Injectable()
export class AuditQueryService {
  /** Rows per database round trip of the CSV export; memory stays at one batch however long the export. */
  csvBatchSize = 2_000;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async events(principal: Principal, query: AuditFiltersDto & { limit?: number; cursor?: string }, meta: RequestMeta): Promise<Page<AuditEventDto>> {
    checkPeriod(query);
    const before = query.cursor === undefined ? undefined : seqFromCursor(query.cursor);
    await this.audit.recordNow({ action: AuditAction.AuditQuery, outcome: 'allowed', actor: principal, caseId: query.caseId ?? null, meta });
    return this.page(auditScopeOf(principal), query, before, query.limit ?? DEFAULT_LIMIT);
  }

  /** The CSV lines, produced batch by batch as the reply is read. */
  async exportCsv(principal: Principal, filters: AuditFiltersDto, meta: RequestMeta): Promise<AsyncGenerator<string>> {
    checkPeriod(filters);
    await this.audit.recordNow({ action: AuditAction.AuditExport, outcome: 'allowed', actor: principal, caseId: filters.caseId ?? null, meta });
    return this.csvLines(auditScopeOf(principal), filters);
  }

  /** A case's events, for the supervisor of its lead organisation or the oversight of its country. */
  async accessLog(principal: Principal, caseId: string, query: { limit?: number; cursor?: string }, meta: RequestMeta): Promise<Page<AuditEventDto>> {
    const before = query.cursor === undefined ? undefined : seqFromCursor(query.cursor);
    const cases: Array<{ lead_organisation_id: string; country: string }> = await this.dataSource.query(
      `SELECT lead_organisation_id, country FROM "case" WHERE id = $1`,
      [caseId],
    );
    const found = cases[0];
    const denied = { action: AuditAction.AuditQuery, outcome: 'denied' as const, actor: principal, caseId, meta };
    if (!found) {
      await this.audit.recordNow(denied);
      throw Problem.notFound('Case not found');
    }
    const caseOwner: AuditCaseOwner = { leadOrganisationId: found.lead_organisation_id, country: found.country };
    const scope = auditScopeOf(principal);
    // Supervisors never see case content, so telling them a case exists leaks nothing: 403, not 404.
    if (!auditScopeCovers(scope, { caseLeadOrganisationId: caseOwner.leadOrganisationId, caseCountry: caseOwner.country })) {
      await this.audit.recordNow({ ...denied, caseOwner });
      throw Problem.forbidden("Only the supervisors of the case's lead organisation and the oversight of its country see its access log");
    }
    await this.audit.recordNow({ action: AuditAction.AuditQuery, outcome: 'allowed', actor: principal, caseId, caseOwner, meta });
    return this.page(scope, { caseId }, before, query.limit ?? DEFAULT_LIMIT);
  }

  async breakGlassGrants(
    principal: Principal,
    query: { reviewed?: boolean; limit?: number; cursor?: string },
    meta: RequestMeta,
  ): Promise<Page<BreakGlassGrantDto>> {
    const after = query.cursor === undefined ? undefined : uuidFromCursor(query.cursor);
    await this.audit.recordNow({ action: AuditAction.AuditQuery, outcome: 'allowed', actor: principal, meta });
    const limit = query.limit ?? DEFAULT_LIMIT;
    const params = new SqlParams();
    const where = [auditScopePredicate(auditScopeOf(principal), GRANT_SCOPE_COLUMNS, params)];
    if (query.reviewed !== undefined) where.push(`g.reviewed_at IS ${query.reviewed ? 'NOT NULL' : 'NULL'}`);
    if (after) where.push(`(g.created_at, g.id) < (SELECT created_at, id FROM break_glass_grant WHERE id = ${params.add(after)})`);
    const rows: GrantRow[] = await this.dataSource.query(
      `SELECT ${GRANT_COLUMNS} FROM ${GRANT_FROM} WHERE ${where.join(' AND ')} ORDER BY g.created_at DESC, g.id DESC LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map(grantView);
    return { items, nextCursor: more ? encodeCursor([items[items.length - 1]!.id]) : null };
  }

  async reviewBreakGlass(principal: Principal, grantId: string, note: string, meta: RequestMeta): Promise<BreakGlassGrantDto> {
    const grant = await this.loadGrant(this.dataSource.manager, grantId);
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
    if (!auditScopeCovers(auditScopeOf(principal), facts)) {
      await this.audit.recordNow({ ...denied, caseId: grant.case_id, caseOwner });
      throw Problem.forbidden('This break-glass use is outside your supervision');
    }
    return this.dataSource.transaction(async (manager) => {
      const updated: Array<{ id: string }> = await manager.query(
        `WITH reviewed AS (
           UPDATE break_glass_grant SET reviewed_at = now(), reviewed_by = $2, review_note = $3 WHERE id = $1 AND reviewed_at IS NULL RETURNING id
         ) SELECT id FROM reviewed`,
        [grantId, principal.userId, note],
      );
      if (updated.length === 0) throw Problem.conflict('already-reviewed', 'This break-glass use has already been reviewed');
      await this.audit.record(manager, {
        action: AuditAction.BreakGlassReview,
        outcome: 'allowed',
        actor: principal,
        caseId: grant.case_id,
        caseOwner,
        legalBasis: 'break_glass',
        meta,
      });
      return grantView((await this.loadGrant(manager, grantId))!);
    });
  }

  private async loadGrant(manager: EntityManager, grantId: string): Promise<GrantRow | undefined> {
    const rows: GrantRow[] = await manager.query(`SELECT ${GRANT_COLUMNS} FROM ${GRANT_FROM} WHERE g.id = $1`, [grantId]);
    return rows[0];
  }

  private async page(scope: AuditScope | undefined, filters: AuditFiltersDto, beforeSeq: string | undefined, limit: number): Promise<Page<AuditEventDto>> {
    const rows = await this.fetch(scope, filters, beforeSeq, limit + 1);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    return { items: page.map(eventView), nextCursor: more ? encodeCursor([page[page.length - 1]!.seq]) : null };
  }

  private async *csvLines(scope: AuditScope | undefined, filters: AuditFiltersDto): AsyncGenerator<string> {
    yield csvLine(CSV_HEADER);
    let before: string | undefined;
    for (;;) {
      const rows = await this.fetch(scope, filters, before, this.csvBatchSize);
      if (rows.length > 0) yield rows.map(csvRow).join('');
      if (rows.length < this.csvBatchSize) return;
      before = rows[rows.length - 1]!.seq;
    }
  }

  /** Newest first, keyset on seq: every filter has a (column, seq) index to walk backwards. */
  private fetch(scope: AuditScope | undefined, filters: AuditFiltersDto, beforeSeq: string | undefined, limit: number): Promise<EventRow[]> {
    const params = new SqlParams();
    const where = [auditScopePredicate(scope, auditEventScopeColumns('e'), params)];
    if (filters.caseId) where.push(`e.case_id = ${params.add(filters.caseId)}`);
    if (filters.actorId) where.push(`e.actor_user_id = ${params.add(filters.actorId)}`);
    if (filters.organisationId) where.push(`e.actor_organisation_id = ${params.add(filters.organisationId)}`);
    if (filters.action) where.push(`e.action = ${params.add(filters.action)}`);
    if (filters.outcome) where.push(`e.outcome = ${params.add(filters.outcome)}`);
    // `at` never decreases along the chain, so the window's first and last seq bound the index scans as well.
    if (filters.from) {
      const from = params.add(instant(filters.from));
      where.push(`e.at >= ${from}`, `e.seq >= coalesce((${firstSeqAtOrAfter(from)}), ${MAX_SEQ})`);
    }
    if (filters.to) {
      const to = params.add(instant(filters.to));
      where.push(`e.at < ${to}`, `e.seq < coalesce((${firstSeqAtOrAfter(to)}), ${MAX_SEQ})`);
    }
    if (beforeSeq) where.push(`e.seq < ${params.add(beforeSeq)}`);
    return this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM audit_event e WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT ${params.add(limit)}`,
      params.values,
    );
  }
}

/** A date alone is UTC midnight; the DTO admits no time without an offset. */
function instant(value: string): Date {
  return new Date(value);
}

function checkPeriod(filters: AuditFiltersDto): void {
  if (filters.from && filters.to && instant(filters.from) >= instant(filters.to)) {
    throw Problem.badRequest('The request is invalid', [{ path: 'to', message: 'must be later than from' }]);
  }
}

function seqFromCursor(cursor: string): string {
  const [seq] = decodeCursor(cursor, 1);
  if (typeof seq !== 'string' || !/^[1-9]\d{0,18}$/.test(seq)) throw badCursor();
  return seq;
}

function uuidFromCursor(cursor: string): string {
  const [id] = decodeCursor(cursor, 1);
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw badCursor();
  return id;
}

function badCursor(): Problem {
  return Problem.badRequest('The cursor is invalid', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
}

function eventView(row: EventRow): AuditEventDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { userId: row.actor_user_id, organisationId: row.actor_organisation_id, role: row.actor_role },
    action: row.action,
    ...(row.case_id ? { caseId: row.case_id } : {}),
    ...(row.sections ? { sections: row.sections } : {}),
    outcome: row.outcome,
    ...(row.legal_basis ? { legalBasis: row.legal_basis } : {}),
    ...(row.justification ? { justification: row.justification } : {}),
    requestId: row.request_id,
    ip: row.ip,
  };
}

function csvRow(row: EventRow): string {
  return csvLine([
    row.id,
    row.at.toISOString(),
    row.actor_user_id,
    row.actor_organisation_id,
    row.actor_role,
    row.action,
    row.case_id,
    row.sections?.join(';'),
    row.outcome,
    row.legal_basis,
    row.justification,
    row.request_id,
    row.ip,
  ]);
}

function grantView(row: GrantRow): BreakGlassGrantDto {
  return {
    id: row.id,
    caseId: row.case_id,
    caseReference: row.reference,
    userId: row.user_id,
    organisationId: row.organisation_id,
    justification: row.justification,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    reviewedAt: row.reviewed_at?.toISOString() ?? null,
    reviewedBy: row.reviewed_by,
    reviewNote: row.review_note,
  };
}
