import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { type DataSource, In, type Repository } from 'typeorm';
import { SqlParams } from '../common/sql';
import { AuditAction } from '../audit/audit-action';
import { csvLine } from '../audit/audit-csv';
import { type AuditScope, auditScopeOf } from '../access/supervisor-scope';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestMeta } from '../access/principal';
import { Problem } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import { type CaseRecordClass, CTDC_COLUMNS, kAnonymise } from './ctdc';
import type { PeriodQueryDto, StatisticsQueryDto } from './dto/statistics.dto';
import { type MonthPeriod, monthPeriod } from './period';
import { buildReport, type Figures, GroupBy, type Group, Metric } from './statistics-report';
import type { FineCell } from './suppression';
import { SUPPRESSION_THRESHOLD } from './suppression';

export interface StatisticsResponse {
  from: string;
  to: string;
  groupBy: GroupBy;
  scope: { country: string } | { organisationId: string };
  threshold: number;
  note: string;
  groups: Group[];
  total: Figures;
}

const NOTE =
  'Figures per organisation and month under 5 are hidden and left out of every figure, total and grouping (hidden says how many), ' +
  'so none can be worked out from totals or by comparing answers. Quantiles are the upper edge of their histogram bucket, in hours.';

interface RollupRow {
  metric: string;
  organisation_id: string;
  country: string;
  month: string;
  dim: string;
  value: number | null;
  buckets: Record<string, number> | null;
}

/**
 * Statistics for supervisors and oversight, read only from the rollups the database keeps
 * (migration StatisticsRollups), never from case rows: the cost follows months × organisations
 * in scope, not the number of cases. Scope is the audit's rule (an organisation's supervisor:
 * its own organisation; oversight: its country).
 */
@Injectable()
export class StatisticsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Organisation) private readonly organisations: Repository<Organisation>,
    private readonly audit: AuditService,
  ) {}

  async statistics(principal: Principal, query: StatisticsQueryDto, meta: RequestMeta): Promise<StatisticsResponse> {
    const scope = await this.scopeFor(principal, query.country, AuditAction.StatisticsQuery, meta);
    const period = monthPeriod(query.from, query.to);
    const groupBy = query.groupBy ?? GroupBy.Month;
    await this.audit.recordNow({ action: AuditAction.StatisticsQuery, outcome: 'allowed', actor: principal, meta });

    const params = new SqlParams();
    const inScope = this.scopePredicate(scope, params);
    const start = params.add(period.startDate);
    const end = params.add(period.endDate);
    // The per-type counters are most of the rows and only the exploitation-type grouping reads them.
    const countMetrics = [Metric.CaseOpened, Metric.CaseClosed, Metric.Referral];
    if (groupBy === GroupBy.ExploitationType) countMetrics.push(Metric.CaseOpenedType, Metric.CaseClosedType);
    // Answer-time buckets travel as one JSON object per (organisation, month, urgency): a seventeenth of the rows.
    const rows: RollupRow[] = await this.dataSource.query(
      `SELECT s.metric, s.organisation_id, s.country, to_char(s.month, 'YYYY-MM') AS month, s.dim, s.value::int AS value, NULL::jsonb AS buckets
         FROM stats_monthly s
        WHERE ${inScope} AND s.metric = ANY(${params.add(countMetrics)})
          AND s.month >= ${start}::date AND s.month < ${end}::date AND s.value <> 0
       UNION ALL
       SELECT s.metric, s.organisation_id, s.country, to_char(s.month, 'YYYY-MM'), split_part(s.dim, ':', 1), NULL, jsonb_object_agg(split_part(s.dim, ':', 2), s.value)
         FROM stats_monthly s
        WHERE ${inScope} AND s.metric = ${params.add(Metric.Response)} AND s.month >= ${start}::date AND s.month < ${end}::date AND s.value <> 0
        GROUP BY s.metric, s.organisation_id, s.country, s.month, split_part(s.dim, ':', 1)
       UNION ALL
       SELECT s.metric, s.organisation_id, s.country, to_char(s.month, 'YYYY-MM'), s.dim, s.value::int, NULL
         FROM stats_monthly s
        WHERE ${inScope} AND s.metric = ${params.add(Metric.Beds)} AND s.month < ${end}::date AND s.value <> 0`,
      params.values,
    );
    const cells: FineCell[] = [];
    const bedChanges: FineCell[] = [];
    for (const row of rows) {
      const base = { metric: row.metric, organisationId: row.organisation_id, country: row.country, month: row.month };
      if (row.buckets) {
        for (const [bucket, value] of Object.entries(row.buckets)) cells.push({ ...base, dim: `${row.dim}:${bucket}`, value });
      } else {
        (row.metric === Metric.Beds ? bedChanges : cells).push({ ...base, dim: row.dim, value: row.value ?? 0 });
      }
    }
    const organisationNames =
      groupBy === GroupBy.Organisation ? await this.namesOf([...new Set(rows.map((r) => r.organisation_id))]) : new Map<string, string>();
    const report = buildReport({ months: period.months, groupBy, cells, bedChanges, organisationNames });
    return { from: period.from, to: period.to, groupBy, scope, threshold: SUPPRESSION_THRESHOLD, note: NOTE, ...report };
  }

  /**
   * The CTDC export (oversight only): the statistical fields of the cases registered in the
   * period, k-anonymised (see ctdc.ts). Resolves to the CSV lines, header first.
   */
  async ctdcExport(principal: Principal, query: PeriodQueryDto, meta: RequestMeta): Promise<{ period: MonthPeriod; lines: Iterable<string> }> {
    const scope = auditScopeOf(principal);
    if (!scope || !('country' in scope)) {
      await this.audit.recordNow({ action: AuditAction.StatisticsExport, outcome: 'denied', actor: principal, meta });
      throw Problem.forbidden('Only an oversight supervisor exports case-level data, for its own country');
    }
    const period = monthPeriod(query.from, query.to);
    await this.audit.recordNow({ action: AuditAction.StatisticsExport, outcome: 'allowed', actor: principal, meta });
    const rows: Array<{
      year: number;
      country: string;
      minor: boolean;
      exploitation_types: string[];
      gender: string | null;
      age_group: string | null;
      indicators: string[] | null;
      citizenship: string | null;
      count: string;
    }> = await this.dataSource.query(
      `SELECT extract(year FROM registered_on)::int AS year, country, minor, exploitation_types, gender, age_group, indicators, citizenship, count(*)::text AS count
         FROM stats_case_record
        WHERE country = $1 AND registered_on >= $2::date AND registered_on < $3::date
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
      [scope.country, period.startDate, period.endDate],
    );
    const records: CaseRecordClass[] = rows.map((row) => ({
      year: row.year,
      country: row.country,
      minor: row.minor,
      exploitationTypes: row.exploitation_types,
      gender: row.gender,
      ageGroup: row.age_group,
      indicators: row.indicators,
      citizenship: row.citizenship,
      count: Number(row.count),
    }));
    const anonymised = kAnonymise(records);
    function* lines(): Generator<string> {
      yield csvLine(CTDC_COLUMNS);
      for (const { row, count } of anonymised.classes) {
        const line = csvLine(CTDC_COLUMNS.map((column) => row[column] ?? ''));
        for (let i = 0; i < count; i++) yield line;
      }
    }
    return { period, lines: lines() };
  }

  /** The caller's scope; a `country` outside it is refused (and the refusal audited). */
  private async scopeFor(principal: Principal, country: string | undefined, action: AuditAction, meta: RequestMeta): Promise<AuditScope> {
    const scope = auditScopeOf(principal);
    const outside = !scope || (country !== undefined && ('country' in scope ? scope.country !== country : principal.country !== country));
    if (outside) {
      await this.audit.recordNow({ action, outcome: 'denied', actor: principal, meta });
      throw Problem.forbidden(scope ? 'That country is outside your scope' : 'Only supervisors see statistics');
    }
    return scope;
  }

  /**
   * The audit's scope (auditScopeOf decides it) over the rollup's columns. A counter belongs to
   * one organisation (the lead, the target or the centre) and one country, which play both the
   * actor's and the case's part of the audit rule, so each arm of auditScopePredicate would be
   * the same column twice; stated once, each scope is one range of an index.
   */
  private scopePredicate(scope: AuditScope, params: SqlParams): string {
    return 'country' in scope ? `s.country = ${params.add(scope.country)}` : `s.organisation_id = ${params.add(scope.organisationId)}`;
  }

  private async namesOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const organisations = await this.organisations.findBy({ id: In(ids) });
    return new Map(organisations.map((o) => [o.id, o.name]));
  }
}
