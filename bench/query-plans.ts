import type { Client } from 'pg';
import type { DataSource, ObjectLiteral, QueryRunner } from 'typeorm';
import { encodeCursor } from '../src/common/pagination';

export interface RecordedQuery {
  sql: string;
  parameters: unknown[];
}

/**
 * Records the statements the application sends through its DataSource, so the bench explains the
 * list query exactly as CasesService built it (predicate from the user's CASL ability included)
 * instead of a hand-written copy. Bench-only: it wraps the instance's `query` and restores it.
 */
export class QueryRecorder {
  private recorded: RecordedQuery[] = [];
  private readonly original: DataSource['query'];

  constructor(private readonly dataSource: DataSource) {
    this.original = dataSource.query.bind(dataSource);
    const wrapped = (sql: string, parameters?: unknown[] | ObjectLiteral, runner?: QueryRunner): Promise<unknown> => {
      this.recorded.push({ sql, parameters: Array.isArray(parameters) ? [...(parameters as unknown[])] : [] });
      return this.original(sql, parameters, runner);
    };
    dataSource.query = wrapped as DataSource['query'];
  }

  /** The statements recorded since the last call. */
  take(): RecordedQuery[] {
    const taken = this.recorded;
    this.recorded = [];
    return taken;
  }

  uninstall(): void {
    Reflect.deleteProperty(this.dataSource, 'query');
  }
}

/** The case list statement among those one `GET /api/cases` sent. */
export function listQueryOf(recorded: readonly RecordedQuery[]): RecordedQuery {
  const found = recorded.filter((q) => /JOIN\s+"case"\s+c\b/.test(q.sql) && /JOIN case_section s/.test(q.sql) && /ORDER BY c\.created_at DESC/.test(q.sql));
  if (found.length !== 1) throw new Error(`expected one case list statement, recorded ${found.length}: has CasesService.list changed?`);
  return found[0]!;
}

export interface PlanSummary {
  /** Execution time of each EXPLAIN ANALYZE run; the plan shown is the last (warm) one. */
  executionMs: number[];
  planningMs: number;
  indexes: string[];
  seqScans: Array<{ table: string; rows: number }>;
  /** A sequential scan of a table with more than 10,000 rows. */
  fullScan: boolean;
  slow: boolean;
  keyLines: string[];
  text: string;
}

const KEY_LINE = /Scan|SubPlan|Limit|Sort|Nested Loop|Hash|Rows Removed|Execution Time|Planning Time|Filter:|Index Cond/;

export async function explain(client: Client, query: RecordedQuery, runs = 3): Promise<PlanSummary> {
  let text = '';
  const executionMs: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.parameters);
    text = result.rows.map((row) => row['QUERY PLAN']).join('\n');
    executionMs.push(Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? NaN));
  }
  const indexes = new Set<string>();
  for (const match of text.matchAll(/Index (?:Only )?Scan (?:Backward )?using (\S+) on (\S+)/g)) indexes.add(`${match[1]} on ${match[2]}`);
  for (const match of text.matchAll(/Bitmap Index Scan on (\S+)/g)) indexes.add(`${match[1]} (bitmap)`);
  const seqTables = [...new Set([...text.matchAll(/Seq Scan on (\S+)/g)].map((match) => match[1]!))];
  const sizes = await client.query<{ relname: string; rows: number }>(
    `SELECT relname, reltuples::bigint::int AS rows FROM pg_class WHERE relname = ANY($1) AND relkind = 'r'`,
    [seqTables.map((t) => t.replace(/"/g, ''))],
  );
  const seqScans = seqTables.map((table) => ({ table, rows: sizes.rows.find((r) => r.relname === table.replace(/"/g, ''))?.rows ?? -1 }));
  const last = executionMs[executionMs.length - 1]!;
  return {
    executionMs,
    planningMs: Number(/Planning Time: ([\d.]+) ms/.exec(text)?.[1] ?? NaN),
    indexes: [...indexes],
    seqScans,
    fullScan: seqScans.some((s) => s.rows > 10_000),
    slow: last > 50,
    keyLines: text
      .split('\n')
      .filter((line) => KEY_LINE.test(line))
      .map((line) => line.replace(/\s+$/, '')),
    text,
  };
}

/** The list statement with its page size replaced (the service passes limit + 1, its only numeric parameter). */
function withLimit(query: RecordedQuery, limit: number): RecordedQuery {
  const parameters = [...query.parameters];
  const at = parameters.flatMap((value, index) => (value === 26 ? [index] : []));
  if (at.length !== 1) throw new Error('the list statement no longer has exactly one page-size parameter (limit + 1): update bench/query-plans.ts');
  parameters[at[0]!] = limit;
  if (!/\bcreated_key\b/.test(query.sql)) throw new Error('the list statement no longer selects created_key: update bench/query-plans.ts');
  return { sql: query.sql, parameters };
}

/** How many cases this list statement can reach: the user's whole visible list. */
export async function visibleCount(client: Client, firstPage: RecordedQuery): Promise<number> {
  const query = withLimit(firstPage, 2_147_483_647);
  const result = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${query.sql}) q`, query.parameters);
  return result.rows[0]!.n;
}

/** The API's cursor for the page that starts after the first `depth` cases of the user's list. */
export async function cursorAfter(client: Client, firstPage: RecordedQuery, depth: number): Promise<string> {
  const query = withLimit(firstPage, depth);
  const result = await client.query<{ created_key: string; id: string }>(
    `SELECT q.created_key, q.id FROM (${query.sql}) q ORDER BY q.created_at ASC, q.id ASC LIMIT 1`,
    query.parameters,
  );
  const row = result.rows[0];
  if (!row) throw new Error('the user sees no case');
  return encodeCursor([row.created_key, row.id]);
}
