import { addCell, type Cell, emptySum, type FineCell, isHidden, isPublished, publish, type Sum } from './suppression';
import { emptyHistogram, type Histogram, quantileHours, RESPONSE_DEADLINE_HOURS, type Urgency, URGENCIES } from './response-time';

export enum GroupBy {
  Month = 'month',
  ExploitationType = 'exploitationType',
  Country = 'country',
  Organisation = 'organisation',
}

export const REFERRAL_OUTCOMES = ['pending', 'accepted', 'declined', 'withdrawn', 'expired'] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

/** The rollup metrics (stats_monthly.metric), as the migration StatisticsRollups writes them. */
export enum Metric {
  CaseOpened = 'case_opened',
  CaseClosed = 'case_closed',
  CaseOpenedType = 'case_opened_type',
  CaseClosedType = 'case_closed_type',
  Referral = 'referral',
  Response = 'response',
  Beds = 'beds',
}

/** A quantile in hours (upper edge of its histogram bucket), ">168" beyond a week, null without enough answers. */
export type Hours = number | '>168' | null;

export interface ResponseTimeFigures {
  deadlineHours: number;
  answered: Cell;
  medianHours: Hours;
  p90Hours: Hours;
}

export interface Figures {
  casesOpened: Cell;
  casesClosed: Cell;
  /** null where the grouping does not apply to referrals (by exploitation type). */
  referrals: Record<ReferralOutcome, Cell> | null;
  responseTime: Record<Urgency, ResponseTimeFigures> | null;
  /** Beds occupied at the end of the group's period (the month, or the last month); null where no reception centre is in the group. */
  bedsOccupied: Cell | null;
  /** Fine cells (organisation × month) under 5 left out of this group's figures. */
  hidden: number;
}

export interface Group extends Figures {
  key: string;
  label: string;
}

export interface ReportInput {
  /** Every month of the period, YYYY-MM, in order. */
  months: string[];
  groupBy: GroupBy;
  /** Fine cells of the period (every metric but beds). */
  cells: FineCell[];
  /** Bed changes of every month up to the period's end (occupancy is their running sum). */
  bedChanges: FineCell[];
  organisationNames: ReadonlyMap<string, string>;
}

export interface Report {
  groups: Group[];
  total: Figures;
}

interface Accumulator {
  opened: Sum;
  closed: Sum;
  referrals: Record<ReferralOutcome, Sum>;
  answered: Record<Urgency, Sum>;
  histograms: Record<Urgency, Histogram>;
  beds: Sum;
  hasBeds: boolean;
  hidden: number;
}

function newAccumulator(): Accumulator {
  return {
    opened: emptySum(),
    closed: emptySum(),
    referrals: Object.fromEntries(REFERRAL_OUTCOMES.map((o) => [o, emptySum()])) as Record<ReferralOutcome, Sum>,
    answered: { urgent: emptySum(), routine: emptySum() },
    histograms: { urgent: emptyHistogram(), routine: emptyHistogram() },
    beds: emptySum(),
    hasBeds: false,
    hidden: 0,
  };
}

function addTo(sum: Sum, cell: Pick<FineCell, 'value'>, accumulator: Accumulator): void {
  addCell(sum, cell);
  if (isHidden(cell)) accumulator.hidden += 1;
}

/**
 * Builds the published figures from fine cells (see suppression.ts for why every figure is a sum
 * of published fine cells only). Pure: the service loads the cells, this decides what is shown.
 */
export function buildReport(input: ReportInput): Report {
  const lastMonth = input.months[input.months.length - 1]!;
  const byType = input.groupBy === GroupBy.ExploitationType;
  const keyOf = (cell: FineCell): string => {
    switch (input.groupBy) {
      case GroupBy.Month:
        return cell.month;
      case GroupBy.Country:
        return cell.country;
      case GroupBy.Organisation:
        return cell.organisationId;
      case GroupBy.ExploitationType:
        return cell.dim;
    }
  };
  const groups = new Map<string, Accumulator>();
  const group = (key: string): Accumulator => {
    let accumulator = groups.get(key);
    if (!accumulator) groups.set(key, (accumulator = newAccumulator()));
    return accumulator;
  };
  if (input.groupBy === GroupBy.Month) for (const month of input.months) group(month);
  const total = newAccumulator();

  // Answer times: a (month, organisation, urgency) histogram is used only when its answer count is published.
  const responses = new Map<string, { cell: FineCell; urgency: Urgency; histogram: Histogram; count: number }>();
  for (const cell of input.cells) {
    switch (cell.metric as Metric) {
      case Metric.CaseOpened:
      case Metric.CaseClosed:
        addTo(cell.metric === Metric.CaseOpened ? total.opened : total.closed, cell, total);
        if (!byType) {
          const target = group(keyOf(cell));
          addTo(cell.metric === Metric.CaseOpened ? target.opened : target.closed, cell, target);
        }
        break;
      case Metric.CaseOpenedType:
      case Metric.CaseClosedType:
        if (byType) {
          const target = group(keyOf(cell));
          addTo(cell.metric === Metric.CaseOpenedType ? target.opened : target.closed, cell, target);
        }
        break;
      case Metric.Referral: {
        const outcome = cell.dim as ReferralOutcome;
        if (!REFERRAL_OUTCOMES.includes(outcome)) break;
        addTo(total.referrals[outcome], cell, total);
        if (!byType) {
          const target = group(keyOf(cell));
          addTo(target.referrals[outcome], cell, target);
        }
        break;
      }
      case Metric.Response: {
        const [urgency, bucketText] = cell.dim.split(':') as [Urgency, string];
        const bucket = Number(bucketText);
        if (!URGENCIES.includes(urgency) || !Number.isInteger(bucket)) break;
        const key = `${cell.month}|${cell.organisationId}|${urgency}`;
        let entry = responses.get(key);
        if (!entry) responses.set(key, (entry = { cell, urgency, histogram: emptyHistogram(), count: 0 }));
        entry.histogram[bucket] = (entry.histogram[bucket] ?? 0) + cell.value;
        entry.count += cell.value;
        break;
      }
      default:
        break;
    }
  }
  for (const { cell, urgency, histogram, count } of responses.values()) {
    const fine = { value: count };
    const targets = byType ? [total] : [total, group(keyOf(cell))];
    for (const target of targets) {
      addTo(target.answered[urgency], fine, target);
      if (isPublished(fine)) histogram.forEach((n, bucket) => (target.histograms[urgency][bucket]! += n));
    }
  }

  // Occupancy at each month's end per centre: the running sum of its changes.
  if (!byType) {
    const changes = new Map<string, Map<string, number>>();
    const centres = new Map<string, FineCell>();
    for (const change of input.bedChanges) {
      centres.set(change.organisationId, change);
      const perMonth = changes.get(change.organisationId) ?? new Map<string, number>();
      perMonth.set(change.month, (perMonth.get(change.month) ?? 0) + change.value);
      changes.set(change.organisationId, perMonth);
    }
    for (const [centre, perMonth] of changes) {
      const sorted = [...perMonth.entries()].sort(([a], [b]) => a.localeCompare(b));
      const occupancyAt = (month: string): number => sorted.filter(([m]) => m <= month).reduce((sum, [, value]) => sum + value, 0);
      const sample = centres.get(centre)!;
      const atEnd = { ...sample, month: lastMonth, value: occupancyAt(lastMonth) };
      const endTargets = input.groupBy === GroupBy.Month ? [total] : [total, group(keyOf(atEnd))];
      for (const target of endTargets) {
        addTo(target.beds, atEnd, target);
        target.hasBeds = true;
      }
      if (input.groupBy === GroupBy.Month) {
        for (const month of input.months) {
          const target = group(month);
          addTo(target.beds, { value: occupancyAt(month) }, target);
          target.hasBeds = true;
        }
      }
    }
  }

  const figures = (accumulator: Accumulator): Figures => ({
    casesOpened: publish(accumulator.opened.value),
    casesClosed: publish(accumulator.closed.value),
    referrals: byType && accumulator !== total ? null : publishReferrals(accumulator),
    responseTime: byType && accumulator !== total ? null : publishResponseTimes(accumulator),
    bedsOccupied: accumulator.hasBeds ? publish(accumulator.beds.value) : null,
    hidden: accumulator.hidden,
  });
  const label = (key: string): string => (input.groupBy === GroupBy.Organisation ? (input.organisationNames.get(key) ?? key) : key);
  const result = [...groups.entries()].map(([key, accumulator]) => ({ key, label: label(key), ...figures(accumulator) }));
  result.sort((a, b) => (input.groupBy === GroupBy.Month ? a.key.localeCompare(b.key) : a.label.localeCompare(b.label)));
  return { groups: result, total: figures(total) };
}

function publishReferrals(accumulator: Accumulator): Record<ReferralOutcome, Cell> {
  return Object.fromEntries(REFERRAL_OUTCOMES.map((o) => [o, publish(accumulator.referrals[o].value)])) as Record<ReferralOutcome, Cell>;
}

function hours(value: number | null): Hours {
  if (value === null) return null;
  return Number.isFinite(value) ? value : '>168';
}

function publishResponseTimes(accumulator: Accumulator): Record<Urgency, ResponseTimeFigures> {
  const entry = (urgency: Urgency): ResponseTimeFigures => {
    const histogram = accumulator.histograms[urgency];
    const deadlineHours = RESPONSE_DEADLINE_HOURS[urgency];
    return {
      deadlineHours,
      answered: publish(accumulator.answered[urgency].value),
      medianHours: hours(quantileHours(histogram, 0.5)),
      p90Hours: hours(quantileHours(histogram, 0.9)),
    };
  };
  return { urgent: entry('urgent'), routine: entry('routine') };
}
