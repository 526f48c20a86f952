import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SqlParams } from '../common/sql';
import type { Principal, RequestMeta } from '../access/principal';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, type Page } from '../common/pagination';
import { Problem } from '../common/problem';
import { AuditAction } from './audit-action';
import { csvLine } from './audit-csv';
import { type AuditScope, auditEventScopeColumns, auditScopeCovers, auditScopeOf, auditScopePredicate } from '../access/supervisor-scope';
import { type AuditCaseOwner, AuditService } from './audit.service';
import type { AuditEventDto, AuditFiltersDto } from './dto/audit.dto';

interface EventRow {
  seq: string;
  id: string;
  at: Date;
  actor_user_id: string | null;
  actor_organisation_id: string | null;
  actor_role: string | null;
  actor_name: string | null;
  actor_organisation_name: string | null;
  action: string;
  case_id: string | null;
  case_reference: string | null;
  sections: string[] | null;
  outcome: string;
  legal_basis: string | null;
  justification: string | null;
  request_id: string | null;
  ip: string | null;
}

const EVENT_COLUMNS = `e.seq::text AS seq, e.id, e.at, e.actor_user_id, e.actor_organisation_id, e.actor_role, e.action, e.case_id, e.sections,
  e.outcome, e.legal_basis, e.justification, e.request_id, e.ip`;
/**
 * Readable names (API.md, Readable context) and the case reference, joined per page row by primary
 * key after the keyset walk picked the rows: staff and organisation names and a reference, never
 * case content. The audit row itself stays ids only.
 */
const READABLE_COLUMNS = `p.*, u.name AS actor_name, o.name AS actor_organisation_name, c.reference AS case_reference`;
const READABLE_JOINS = `LEFT JOIN "user" u ON u.id = p.actor_user_id LEFT JOIN organisation o ON o.id = p.actor_organisation_id
  LEFT JOIN "case" c ON c.id = p.case_id`;

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
  'actorName',
  'actorOrganisationName',
  'caseReference',
];

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
    return this.page(auditScopeOf(principal), query, before, query.limit ?? DEFAULT_PAGE_SIZE);
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
    // Outside the scope the case is not the supervisor's to know of: the same 404 as a missing case (no existence oracle).
    if (!auditScopeCovers(scope, { caseLeadOrganisationId: caseOwner.leadOrganisationId, caseCountry: caseOwner.country })) {
      await this.audit.recordNow({ ...denied, caseOwner });
      throw Problem.notFound('Case not found');
    }
    await this.audit.recordNow({ action: AuditAction.AuditQuery, outcome: 'allowed', actor: principal, caseId, caseOwner, meta });
    return this.page(scope, { caseId }, before, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  /**
   * A case by its reference, for finding its access log: answered only when the case is in the
   * supervisor's audit scope (otherwise the same 404 as an unknown reference), and audited.
   */
  async caseByReference(principal: Principal, reference: string, meta: RequestMeta): Promise<{ id: string; reference: string }> {
    const cases: Array<{ id: string; reference: string; lead_organisation_id: string; country: string }> = await this.dataSource.query(
      `SELECT id, reference, lead_organisation_id, country FROM "case" WHERE reference = $1`,
      [reference],
    );
    const found = cases[0];
    const covered = found && auditScopeCovers(auditScopeOf(principal), { caseLeadOrganisationId: found.lead_organisation_id, caseCountry: found.country });
    const caseOwner: AuditCaseOwner | undefined = found ? { leadOrganisationId: found.lead_organisation_id, country: found.country } : undefined;
    await this.audit.recordNow({
      action: AuditAction.AuditQuery,
      outcome: covered ? 'allowed' : 'denied',
      actor: principal,
      caseId: found?.id ?? null,
      ...(caseOwner ? { caseOwner } : {}),
      meta,
    });
    if (!found || !covered) throw Problem.notFound('Case not found');
    return { id: found.id, reference: found.reference };
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
    // A reference names at most one case; an unknown reference matches nothing (NULL), like an unknown id.
    if (filters.caseReference) where.push(`e.case_id = (SELECT id FROM "case" WHERE reference = ${params.add(filters.caseReference)})`);
    if (filters.actorId) where.push(`e.actor_user_id = ${params.add(filters.actorId)}`);
    if (filters.organisationId) where.push(`e.actor_organisation_id = ${params.add(filters.organisationId)}`);
    if (filters.action) where.push(`e.action = ${params.add(filters.action)}`);
    if (filters.outcome) where.push(`e.outcome = ${params.add(filters.outcome)}`);
    // Concurrent writers take seq and time independently, so `at` only nearly follows seq: filter on `at` itself.
    if (filters.from) where.push(`e.at >= ${params.add(instant(filters.from))}`);
    if (filters.to) where.push(`e.at < ${params.add(instant(filters.to))}`);
    if (beforeSeq) where.push(`e.seq < ${params.add(beforeSeq)}`);
    return this.dataSource.query(
      `SELECT ${READABLE_COLUMNS}
         FROM (SELECT ${EVENT_COLUMNS} FROM audit_event e WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT ${params.add(limit)}) p
         ${READABLE_JOINS}
        ORDER BY p.seq::bigint DESC`,
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
  return decodeCursor(cursor, ['seq'])[0];
}

function eventView(row: EventRow): AuditEventDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: {
      userId: row.actor_user_id,
      organisationId: row.actor_organisation_id,
      role: row.actor_role,
      name: row.actor_name,
      organisationName: row.actor_organisation_name,
    },
    action: row.action,
    ...(row.case_id ? { caseId: row.case_id } : {}),
    ...(row.case_reference ? { caseReference: row.case_reference } : {}),
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
    row.actor_name,
    row.actor_organisation_name,
    row.case_reference,
  ]);
}
