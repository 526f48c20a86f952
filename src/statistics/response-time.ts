/**
 * Upper edges, in minutes, of the response-time histogram buckets. The same list is in the
 * migration StatisticsRollups (width_bucket in stats_referral_deltas): bucket i holds answers
 * that took from EDGES[i-1] (0 for i = 0) up to EDGES[i] minutes; the last bucket
 * (i = EDGES.length) holds everything slower than a week. The 4-hour and 72-hour answer
 * deadlines are edges, so a quantile is never rounded across a deadline.
 */
export const RESPONSE_BUCKET_EDGES_MINUTES: readonly number[] = [15, 30, 60, 120, 180, 240, 360, 480, 720, 1080, 1440, 2160, 2880, 4320, 5760, 10080];

export const RESPONSE_DEADLINE_HOURS = { urgent: 4, routine: 72 } as const;
export type Urgency = keyof typeof RESPONSE_DEADLINE_HOURS;
export const URGENCIES = Object.keys(RESPONSE_DEADLINE_HOURS) as Urgency[];

/** Counts per bucket index (0 .. EDGES.length). */
export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(RESPONSE_BUCKET_EDGES_MINUTES.length + 1).fill(0);
}

/**
 * The q-quantile as the upper edge (in hours) of the bucket it falls in: "half of the answers
 * came within at most this long". null when the histogram is empty; Infinity for the open last
 * bucket. Conservative by construction: never earlier than the true quantile.
 */
export function quantileHours(histogram: Histogram, q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  // The smallest bucket whose cumulative count reaches ceil(q * total) answers (nearest-rank).
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    seen += histogram[bucket]!;
    if (seen >= rank) {
      const edge = RESPONSE_BUCKET_EDGES_MINUTES[bucket];
      return edge === undefined ? Number.POSITIVE_INFINITY : edge / 60;
    }
  }
  return Number.POSITIVE_INFINITY;
}
