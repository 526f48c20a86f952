import { Problem } from '../common/problem';

/** A run of whole UTC months, inclusive at both ends. */
export interface MonthPeriod {
  /** YYYY-MM */
  from: string;
  /** YYYY-MM */
  to: string;
  /** Every month from `from` to `to`, YYYY-MM. */
  months: string[];
  /** First day of `from` and first day of the month after `to` (exclusive), YYYY-MM-DD. */
  startDate: string;
  endDate: string;
}

export const MAX_PERIOD_MONTHS = 120;
export const DEFAULT_PERIOD_MONTHS = 12;

const MONTH = /^(\d{4})-(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function monthIndex(year: number, month: number): number {
  return year * 12 + (month - 1);
}

function monthText(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Reads `from`/`to` as whole months: `YYYY-MM`, or a date that starts (`from`) or ends (`to`)
 * a month. Figures are kept per month, so a period that cuts a month would either be wrong or
 * reveal a day's count; it is refused with a 400 that says why.
 */
function parse(value: string, field: 'from' | 'to'): number {
  const month = MONTH.exec(value);
  const day = month ? undefined : DAY.exec(value);
  const match = month ?? day;
  const year = match ? Number(match[1]) : NaN;
  const m = match ? Number(match[2]) : NaN;
  if (!match || year < 2000 || year > 2999 || m < 1 || m > 12) {
    throw Problem.badRequest('The request is invalid', [{ path: field, message: 'must be a month (YYYY-MM) or a date (YYYY-MM-DD)' }]);
  }
  if (day) {
    const d = Number(day[3]);
    const expected = field === 'from' ? 1 : daysIn(year, m);
    if (d !== expected) {
      throw Problem.badRequest('The request is invalid', [
        {
          path: field,
          message:
            field === 'from' ? 'must be the first day of a month: figures are kept per month' : 'must be the last day of a month: figures are kept per month',
        },
      ]);
    }
  }
  return monthIndex(year, m);
}

export function monthPeriod(from: string | undefined, to: string | undefined, now = new Date()): MonthPeriod {
  const end = to !== undefined ? parse(to, 'to') : monthIndex(now.getUTCFullYear(), now.getUTCMonth() + 1);
  const start = from !== undefined ? parse(from, 'from') : end - (DEFAULT_PERIOD_MONTHS - 1);
  if (start > end) throw Problem.badRequest('The request is invalid', [{ path: 'from', message: 'must not be after to' }]);
  if (end - start + 1 > MAX_PERIOD_MONTHS) {
    throw Problem.badRequest('The request is invalid', [{ path: 'from', message: `the period may span at most ${MAX_PERIOD_MONTHS} months` }]);
  }
  const months: string[] = [];
  for (let index = start; index <= end; index++) months.push(monthText(index));
  return { from: monthText(start), to: monthText(end), months, startDate: `${monthText(start)}-01`, endDate: `${monthText(end + 1)}-01` };
}
