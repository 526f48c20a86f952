import fc from 'fast-check';
import { buildReport, GroupBy, Metric, type ReportInput } from './statistics-report';
import type { FineCell } from './suppression';

const ORGS = [
  { id: 'a0000000-0000-4000-8000-000000000001', country: 'BE' },
  { id: 'a0000000-0000-4000-8000-000000000002', country: 'BE' },
  { id: 'a0000000-0000-4000-8000-000000000003', country: 'NL' },
];
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04'];
const names = new Map(ORGS.map((o, i) => [o.id, `Org ${i}`]));

function cell(metric: Metric, org: number, month: string, value: number, dim = ''): FineCell {
  return { metric, organisationId: ORGS[org]!.id, country: ORGS[org]!.country, month, dim, value };
}

function input(cells: FineCell[], groupBy: GroupBy, months = MONTHS, bedChanges: FineCell[] = []): ReportInput {
  return { months, groupBy, cells, bedChanges, organisationNames: names };
}

describe('buildReport', () => {
  it('shows counts under 5 as "<5" and leaves them out of totals', () => {
    const cells = [cell(Metric.CaseOpened, 0, '2026-01', 7), cell(Metric.CaseOpened, 1, '2026-01', 3), cell(Metric.CaseOpened, 2, '2026-01', 12)];
    const report = buildReport(input(cells, GroupBy.Organisation));
    expect(report.groups.map((g) => [g.label, g.casesOpened, g.hidden])).toEqual([
      ['Org 0', 7, 0],
      ['Org 1', '<5', 1],
      ['Org 2', 12, 0],
    ]);
    // 7 + 12: the 3 is not in the total, or total − visible cells would give it away.
    expect(report.total.casesOpened).toBe(19);
    expect(report.total.hidden).toBe(1);
  });

  it('keeps a month with only small organisations hidden even when their sum is 5 or more', () => {
    const cells = [cell(Metric.CaseOpened, 0, '2026-02', 4), cell(Metric.CaseOpened, 1, '2026-02', 4)];
    const report = buildReport(input(cells, GroupBy.Month));
    const february = report.groups.find((g) => g.key === '2026-02')!;
    expect(february.casesOpened).toBe('<5');
    expect(february.hidden).toBe(2);
    expect(report.groups.map((g) => g.key)).toEqual(MONTHS);
  });

  it('groups cases by exploitation type from the per-type counters and keeps the total of distinct cases', () => {
    const cells = [
      cell(Metric.CaseOpened, 0, '2026-01', 10),
      cell(Metric.CaseOpenedType, 0, '2026-01', 8, 'labour'),
      cell(Metric.CaseOpenedType, 0, '2026-01', 6, 'sexual'),
      cell(Metric.CaseOpenedType, 0, '2026-01', 2, 'organ_removal'),
      cell(Metric.Referral, 0, '2026-01', 9, 'accepted'),
    ];
    const report = buildReport(input(cells, GroupBy.ExploitationType));
    expect(report.groups.map((g) => [g.key, g.casesOpened])).toEqual([
      ['labour', 8],
      ['organ_removal', '<5'],
      ['sexual', 6],
    ]);
    expect(report.groups[0]!.referrals).toBeNull();
    expect(report.total.casesOpened).toBe(10);
    expect(report.total.referrals!.accepted).toBe(9);
  });

  it('computes median and p90 answer times from published histograms only', () => {
    // Org 0 in January: 10 urgent answers, 6 in 30–60 min (bucket 2), 4 in 3–4 h (bucket 5).
    // Org 1 in January: 2 urgent answers after 2 days: too few, left out.
    const cells = [
      cell(Metric.Response, 0, '2026-01', 6, 'urgent:2'),
      cell(Metric.Response, 0, '2026-01', 4, 'urgent:5'),
      cell(Metric.Response, 1, '2026-01', 2, 'urgent:12'),
    ];
    const report = buildReport(input(cells, GroupBy.Country));
    const urgent = report.total.responseTime!.urgent;
    expect(urgent).toEqual({ deadlineHours: 4, answered: 10, medianHours: 1, p90Hours: 4 });
    expect(report.total.responseTime!.routine).toEqual({ deadlineHours: 72, answered: '<5', medianHours: null, p90Hours: null });
    expect(report.total.hidden).toBe(1);
  });

  it('reports beds occupied at each month end as the running sum of changes, small centres hidden', () => {
    const bedChanges = [cell(Metric.Beds, 0, '2025-11', 6), cell(Metric.Beds, 0, '2026-02', -2), cell(Metric.Beds, 1, '2026-01', 3)];
    const report = buildReport(input([], GroupBy.Month, MONTHS, bedChanges));
    expect(report.groups.map((g) => g.bedsOccupied)).toEqual([6, '<5', '<5', '<5']);
    const byOrganisation = buildReport(input([], GroupBy.Organisation, MONTHS, bedChanges));
    expect(byOrganisation.groups.map((g) => [g.label, g.bedsOccupied])).toEqual([
      ['Org 0', '<5'],
      ['Org 1', '<5'],
    ]);
  });

  /**
   * The property the suppression exists for: a hidden fine cell (1–4) cannot be recovered from
   * any combination of answers. If changing its value to any other value from 1 to 4 leaves
   * every answer of every query (every grouping, every sub-period) exactly the same, then no
   * total and no difference between answers can tell the values apart.
   */
  it('gives identical answers to every query whatever the value (1–4) of a hidden cell', () => {
    const metrics = [Metric.CaseOpened, Metric.CaseClosed, Metric.Referral];
    const fineCell = fc.record({
      metric: fc.constantFrom(...metrics),
      org: fc.integer({ min: 0, max: ORGS.length - 1 }),
      month: fc.constantFrom(...MONTHS),
      value: fc.integer({ min: 1, max: 30 }),
    });
    fc.assert(
      fc.property(fc.array(fineCell, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), (raw, a, b) => {
        // One cell per (metric, org, month), as in the rollup table.
        const unique = new Map(raw.map((c) => [`${c.metric}|${c.org}|${c.month}`, c]));
        const cells = [...unique.values()].map((c) => cell(c.metric, c.org, c.month, c.value, c.metric === Metric.Referral ? 'accepted' : ''));
        const victim = cells[0]!;
        const withValue = (value: number) => cells.map((c) => (c === victim ? { ...c, value } : c));
        for (const groupBy of [GroupBy.Month, GroupBy.Country, GroupBy.Organisation]) {
          for (let start = 0; start < MONTHS.length; start++) {
            for (let end = start; end < MONTHS.length; end++) {
              const months = MONTHS.slice(start, end + 1);
              const inPeriod = (list: FineCell[]) => list.filter((c) => months.includes(c.month));
              const left = buildReport(input(inPeriod(withValue(a)), groupBy, months));
              const right = buildReport(input(inPeriod(withValue(b)), groupBy, months));
              expect(left).toEqual(right);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
