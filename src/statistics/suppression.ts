/** Counts under this are never published as numbers (`"<5"`). */
export const SUPPRESSION_THRESHOLD = 5;

/** A published count: the number, or `"<5"` when it is under the threshold. */
export type Cell = number | '<5';

/**
 * One cell of the finest grid every figure is built from: a count for one metric, one
 * organisation, one UTC month and one value of the metric's dimension (an exploitation type, a
 * referral status, a response-time bucket).
 */
export interface FineCell {
  metric: string;
  organisationId: string;
  country: string;
  /** YYYY-MM */
  month: string;
  dim: string;
  value: number;
}

/**
 * Disclosure control by omission. A fine cell under the threshold is hidden, and a hidden cell
 * contributes nothing to any figure: every published number is a sum of fine cells that are
 * themselves 5 or more. So no total, and no difference between the answers of any two queries
 * (other periods, other groupings, other scopes), depends on a hidden cell's value; all anyone
 * learns about it is that it lies between 1 and 4. Classic complementary suppression protects
 * one table against its own margins but not against a second query with a shifted period; this
 * rule protects every combination of answers, at the price of totals that leave the small
 * cells out (each figure says how many it left out, `hidden`).
 */
export function isPublished(cell: Pick<FineCell, 'value'>): boolean {
  return cell.value >= SUPPRESSION_THRESHOLD;
}

/** A hidden cell is a non-zero count under the threshold; zero is nothing to hide. */
export function isHidden(cell: Pick<FineCell, 'value'>): boolean {
  return cell.value > 0 && cell.value < SUPPRESSION_THRESHOLD;
}

export interface Sum {
  /** The sum of the published fine cells. */
  value: number;
  /** How many hidden fine cells were left out. */
  hidden: number;
}

export function emptySum(): Sum {
  return { value: 0, hidden: 0 };
}

export function addCell(sum: Sum, cell: Pick<FineCell, 'value'>): void {
  if (isPublished(cell)) sum.value += cell.value;
  else if (isHidden(cell)) sum.hidden += 1;
}

/** The sum as it is shown: the number, or "<5" when it is under the threshold. */
export function publish(value: number): Cell {
  return value >= SUPPRESSION_THRESHOLD ? value : '<5';
}
