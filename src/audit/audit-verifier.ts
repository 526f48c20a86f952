import { availableParallelism } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ENTRY_LEAF_SQL, ENTRY_SQL, entryRowOf } from './audit-entry';
import { auditNoteSigner } from './audit-log-key';
import { AuditWitness } from './audit-witness';
import { type LegacyCheckpoint, LegacyChainCheck, type LegacyRow } from './legacy-chain';
import { type AuditVerification, LogAuditor, MAX_BREAKS } from './log-auditor';
import { openNote, parseCheckpointBody, parseVerifierKey } from './signed-note';

export type { AuditVerification } from './log-auditor';

/** How far a verification has come: entries of the log checked, out of the entries it walks. */
export interface VerifyProgress {
  checked: number;
  total: number;
}

/** Held shared by verification and exclusively by retention, so a verification never sees events vanish under it. */
export const PREFIX_LOCK_SQL = `hashtext('passage:audit:prefix')`;

/** A log entry with its event's canonical entry as stored now (null when the row is gone), as the walk reads it. */
export interface LeafRow {
  log_index: string;
  event_id: string;
  leaf_hash: Buffer;
  /** The canonical entry (in `leafRanges`, only for milestone-1 events: their old chain needs the fields). */
  entry: string | null;
  /** Milestone-1 chain hashes, on events written before the verifiable log. */
  legacy_prev_hash: Buffer | null;
  legacy_hash: Buffer | null;
}

export interface LogCheckpointRow {
  tree_size: string;
  root_hash: Buffer;
  note: string;
}

/**
 * Reads the log in index order in keyset batches, the next batch requested while the current
 * one is hashed, so the database and this process work at the same time and memory stays at two
 * batches however long the log.
 *
 * - PostgreSQL builds each canonical entry (ENTRY_SQL): one text column per event to hash, not
 *   seventeen to parse and serialise again.
 * - Events are found by the seq their entry recorded (audit_event's primary key, walked almost
 *   in order) and must carry the entry's event id too; the few that do not (a seq or an id
 *   altered, a row deleted, an entry older than the seq column) are looked up by id, as the
 *   entry's identity is its event id.
 * - No parallel plan: a Gather Merge of 10,000 ordered rows costs more than it saves, and takes
 *   the cores the hashing needs.
 */
export async function* leafBatches(runner: QueryRunner, end: bigint, batchSize: number): AsyncGenerator<LeafRow[]> {
  const fetch = async (from: bigint): Promise<LeafRow[]> => {
    const rows: LeafRow[] = await runner.query(
      `SELECT l.log_index::text, l.event_id, l.leaf_hash, CASE WHEN e.id IS NOT NULL THEN ${ENTRY_SQL} END AS entry,
              e.prev_hash AS legacy_prev_hash, e.hash AS legacy_hash
         FROM audit_log_entry l LEFT JOIN audit_event e ON e.seq = l.seq AND e.id = l.event_id
        WHERE l.log_index >= $1 AND l.log_index < $2 ORDER BY l.log_index LIMIT $3`,
      [from.toString(), end.toString(), batchSize],
    );
    const unmatched = rows.filter((row) => row.entry === null);
    if (unmatched.length > 0) {
      const found: Array<{ id: string; entry: string; legacy_prev_hash: Buffer | null; legacy_hash: Buffer | null }> = await runner.query(
        `SELECT e.id, ${ENTRY_SQL} AS entry, e.prev_hash AS legacy_prev_hash, e.hash AS legacy_hash FROM audit_event e WHERE e.id = ANY($1::uuid[])`,
        [unmatched.map((row) => row.event_id)],
      );
      const byId = new Map(found.map((event) => [event.id, event]));
      for (const row of unmatched) {
        const event = byId.get(row.event_id);
        if (event) Object.assign(row, { entry: event.entry, legacy_prev_hash: event.legacy_prev_hash, legacy_hash: event.legacy_hash });
      }
    }
    return rows;
  };
  if (end <= 0n) return;
  await runner.query(`SET max_parallel_workers_per_gather = 0`);
  try {
    let next: Promise<LeafRow[]> | undefined = fetch(0n);
    while (next) {
      const rows: LeafRow[] = await next;
      const last = rows[rows.length - 1];
      next = rows.length === batchSize && last ? fetch(BigInt(last.log_index) + 1n) : undefined;
      if (rows.length > 0) yield rows;
    }
  } finally {
    await runner.query(`RESET max_parallel_workers_per_gather`);
  }
}

/** A leaf as verification reads it: the leaf hash PostgreSQL recomputed from the event row (null when the row is gone). */
export type VerifyLeafRow = LeafRow & { entry_leaf: Buffer | null };

/** One range of the log for verification, with the checkpoints whose size falls in (from, to]. */
export interface LeafRange {
  rows: VerifyLeafRow[];
  checkpoints: LogCheckpointRow[];
}

/**
 * Verification's read of [0, end): ranges of `batchSize` indexes fetched on several connections
 * at once, yielded in order. Building and hashing the canonical entries is PostgreSQL's work and
 * most of the verification's time (EXPLAIN ANALYZE: ~8 µs an event, the join ~2 µs), so a single
 * backend caps verification at one core; with one range in flight per connection every core
 * builds entries while this process folds the tree.
 *
 * - PostgreSQL recomputes each leaf hash from the row (ENTRY_LEAF_SQL) and ships 32 bytes, not the
 *   entry; the entry only for milestone-1 events.
 * - Ranges rather than keyset pages, so batches are independent; a range with no entries (a cut
 *   in the log) jumps to the next stored index, so a moved index cannot make the walk crawl.
 * - Events found by seq, then by id, as in leafBatches; no parallel plan.
 * - Every connection is the caller's: the first holds the prefix lock that keeps retention out.
 */
export async function* leafRanges(runners: readonly QueryRunner[], end: bigint, batchSize: number): AsyncGenerator<LeafRange> {
  const entryColumns = `CASE WHEN e.id IS NOT NULL THEN ${ENTRY_LEAF_SQL} END AS entry_leaf, CASE WHEN e.hash IS NOT NULL THEN ${ENTRY_SQL} END AS entry,
              e.prev_hash AS legacy_prev_hash, e.hash AS legacy_hash`;
  const fetch = async (runner: QueryRunner, from: bigint, to: bigint): Promise<LeafRange> => {
    const bounds = [from.toString(), to.toString()];
    const [rows, checkpoints] = await Promise.all([
      runner.query(
        `SELECT l.log_index::text, l.event_id, l.leaf_hash, ${entryColumns}
           FROM audit_log_entry l LEFT JOIN audit_event e ON e.seq = l.seq AND e.id = l.event_id
          WHERE l.log_index >= $1 AND l.log_index < $2 ORDER BY l.log_index`,
        bounds,
      ) as Promise<VerifyLeafRow[]>,
      runner.query(
        `SELECT tree_size::text, root_hash, note FROM audit_log_checkpoint c WHERE c.tree_size > $1 AND c.tree_size <= $2 ORDER BY c.tree_size`,
        bounds,
      ) as Promise<LogCheckpointRow[]>,
    ]);
    const unmatched = rows.filter((row) => row.entry_leaf === null);
    if (unmatched.length > 0) {
      const found: Array<Omit<VerifyLeafRow, 'log_index' | 'event_id' | 'leaf_hash'> & { id: string }> = await runner.query(
        `SELECT e.id, ${entryColumns} FROM audit_event e WHERE e.id = ANY($1::uuid[])`,
        [unmatched.map((row) => row.event_id)],
      );
      const byId = new Map(found.map((event) => [event.id, event]));
      for (const row of unmatched) {
        const event = byId.get(row.event_id);
        if (event)
          Object.assign(row, { entry_leaf: event.entry_leaf, entry: event.entry, legacy_prev_hash: event.legacy_prev_hash, legacy_hash: event.legacy_hash });
      }
    }
    return { rows, checkpoints };
  };
  if (end <= 0n) return;
  await Promise.all(runners.map((runner) => runner.query(`SET max_parallel_workers_per_gather = 0`)));
  try {
    let from = 0n;
    const inFlight: Array<{ runner: QueryRunner; to: bigint; result: Promise<LeafRange> }> = [];
    const schedule = (runner: QueryRunner): void => {
      if (from >= end) return;
      const to = from + BigInt(batchSize) < end ? from + BigInt(batchSize) : end;
      const result = fetch(runner, from, to);
      result.catch(() => undefined); // awaited in order below; a failure surfaces there
      inFlight.push({ runner, to, result });
      from = to;
    };
    for (const runner of runners) schedule(runner);
    while (inFlight.length > 0) {
      const batch = inFlight.shift()!;
      const range = await batch.result;
      if (range.rows.length === 0 && from < end) {
        // A cut: skip to the next stored index instead of walking empty ranges.
        const [next]: Array<{ at: string | null }> = await batch.runner.query(
          `SELECT min(log_index)::text AS at FROM audit_log_entry WHERE log_index >= $1 AND log_index < $2`,
          [from.toString(), end.toString()],
        );
        // Checkpoints in the skipped span are still read with the range that follows it.
        if (next!.at === null) {
          const rest = (await batch.runner.query(
            `SELECT tree_size::text, root_hash, note FROM audit_log_checkpoint c WHERE c.tree_size > $1 AND c.tree_size <= $2 ORDER BY c.tree_size`,
            [from.toString(), end.toString()],
          )) as LogCheckpointRow[];
          range.checkpoints.push(...rest);
          from = end;
        } else if (BigInt(next!.at) > from) {
          const skipped = (await batch.runner.query(
            `SELECT tree_size::text, root_hash, note FROM audit_log_checkpoint c WHERE c.tree_size > $1 AND c.tree_size <= $2 ORDER BY c.tree_size`,
            [from.toString(), next!.at],
          )) as LogCheckpointRow[];
          range.checkpoints.push(...skipped);
          from = BigInt(next!.at);
        }
      }
      schedule(batch.runner);
      yield range;
    }
  } finally {
    await Promise.all(runners.map((runner) => runner.query(`RESET max_parallel_workers_per_gather`)));
  }
}

/** The fields milestone-1's chain hashed, for an event that carries its old chain hashes. */
function legacyRowOf(row: LeafRow): LegacyRow | null {
  if (row.entry === null || row.legacy_hash === null) return null;
  return { ...entryRowOf(row.entry), legacy_prev_hash: row.legacy_prev_hash, legacy_hash: row.legacy_hash };
}

/**
 * Verifies the log as stored against its signed checkpoints and the witness's copies of them,
 * reporting every break (up to MAX_BREAKS) and carrying on past each.
 */
@Injectable()
export class AuditVerifier {
  batchSize = 10_000;
  /** Connections reading ranges at once: PostgreSQL building the entries is the work, one backend per core. */
  connections = Math.min(4, Math.max(2, availableParallelism()));
  private running?: Promise<AuditVerification>;
  private readonly listeners = new Set<(progress: VerifyProgress) => void>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'auditSigningKey' | 'auditLogOrigin'>,
    private readonly witness: AuditWitness,
  ) {}

  get verifierKey(): string {
    return auditNoteSigner(this.config).verifierKey;
  }

  /** Callers arriving during a run share its answer (and, with `onProgress`, its progress from then on). */
  async verify(onProgress?: (progress: VerifyProgress) => void): Promise<AuditVerification> {
    if (onProgress) this.listeners.add(onProgress);
    this.running ??= this.verifyNow().finally(() => {
      this.running = undefined;
    });
    try {
      return await this.running;
    } finally {
      if (onProgress) this.listeners.delete(onProgress);
    }
  }

  private progress(progress: VerifyProgress): void {
    for (const listener of this.listeners) listener(progress);
  }

  private async verifyNow(): Promise<AuditVerification> {
    const runner = this.dataSource.createQueryRunner();
    const helpers = Array.from({ length: this.connections - 1 }, () => this.dataSource.createQueryRunner());
    try {
      await Promise.all([runner, ...helpers].map((each) => each.connect()));
      await runner.query(`SELECT pg_advisory_lock_shared(${PREFIX_LOCK_SQL})`);
      try {
        return await this.verifyOn(runner, undefined, (progress) => this.progress(progress), helpers);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock_shared(${PREFIX_LOCK_SQL})`);
      }
    } finally {
      await Promise.all([runner, ...helpers].map((each) => each.release()));
    }
  }

  /**
   * Verifies the log up to `through` entries (default: all of it) on a connection the caller
   * holds, and on `helpers` (more connections, read-only) to read ranges in parallel.
   */
  async verifyOn(
    runner: QueryRunner,
    through?: bigint,
    onProgress?: (progress: VerifyProgress) => void,
    helpers: readonly QueryRunner[] = [],
  ): Promise<AuditVerification> {
    const verifier = parseVerifierKey(this.verifierKey);
    const auditor = new LogAuditor(verifier, this.config.auditLogOrigin);
    const [sizes]: Array<{ entries: string; checkpoint: string }> = await runner.query(
      `SELECT (SELECT coalesce(max(log_index) + 1, 0) FROM audit_log_entry)::text AS entries,
              (SELECT coalesce(max(tree_size), 0) FROM audit_log_checkpoint)::text AS checkpoint`,
    );
    const entries = BigInt(sizes!.entries);
    const end = through ?? entries;
    // Events written behind the sequencer's cursor but never integrated were slipped in outside the application.
    const outside = through === undefined ? this.eventsOutsideTheLog() : Promise.resolve([]);
    outside.catch(() => undefined);

    const legacyCheckpoints: LegacyCheckpoint[] = await runner.query(
      `SELECT c.id::text, c.kind, c.seq::text, c.hash, c.signed_at, c.signature FROM audit_checkpoint c ORDER BY c.seq`,
    );
    const legacy = new LegacyChainCheck(this.config.auditSigningKey, legacyCheckpoints, (item) => auditor.report(item));
    const retention: Array<{ note: string }> = await runner.query(`SELECT note FROM audit_log_retention ORDER BY through_size`);
    auditor.retention(retention.map((row) => row.note));
    // The witness may already hold checkpoints signed after this walk began: those are only checked for length.
    let witnessBeyond = 0n;
    if (through === undefined) {
      for (const note of await this.witness.notes()) {
        const size = parseCheckpointBody(note.slice(0, note.lastIndexOf('\n\n') + 1))?.treeSize ?? 0n;
        if (size <= end) auditor.checkpoint(note, 'witness');
        else if (size > witnessBeyond && openNote(note, verifier)) witnessBeyond = size;
      }
    }
    if (through === undefined && BigInt(sizes!.checkpoint) > entries) {
      // Checkpoints beyond the last entry are compared (and reported) once the walk ends.
      const beyond: LogCheckpointRow[] = await runner.query(
        `SELECT tree_size::text, root_hash, note FROM audit_log_checkpoint c WHERE c.tree_size > $1 ORDER BY c.tree_size DESC LIMIT 1`,
        [entries.toString()],
      );
      for (const row of beyond) auditor.checkpoint(row.note, 'database', { size: BigInt(row.tree_size), root: row.root_hash });
    }

    onProgress?.({ checked: 0, total: Number(end) });
    let checked = 0n;
    for await (const { rows, checkpoints } of leafRanges([runner, ...helpers], end, this.batchSize)) {
      for (const row of checkpoints) auditor.checkpoint(row.note, 'database', { size: BigInt(row.tree_size), root: row.root_hash });
      for (const row of rows) {
        const index = BigInt(row.log_index);
        auditor.leaf({ index, eventId: row.event_id, storedLeaf: row.leaf_hash, entry: row.entry_leaf === null ? null : { leafHash: row.entry_leaf } });
        legacy.leaf(index, legacyRowOf(row));
        checked = index + 1n;
      }
      if (rows.length > 0) onProgress?.({ checked: Number(checked), total: Number(end) });
    }
    if (witnessBeyond > 0n) {
      const [now]: Array<{ entries: string }> = await runner.query(`SELECT (coalesce(max(log_index) + 1, 0))::text AS entries FROM audit_log_entry`);
      if (witnessBeyond > BigInt(now!.entries)) {
        auditor.report({
          eventId: null,
          index: now!.entries,
          reason: `the witness holds a signed checkpoint of ${witnessBeyond} entries but the log holds ${now!.entries}: entries were removed from the end`,
        });
      }
    }
    for (const event of await outside) {
      auditor.report({
        eventId: event.id,
        index: null,
        reason: 'the event is not in the log although the sequencer has passed it: it was inserted outside the application',
      });
    }
    return auditor.finish();
  }

  private async eventsOutsideTheLog(): Promise<Array<{ id: string }>> {
    return this.dataSource.query(
      `SELECT e.id FROM audit_event e, audit_log_state s
        WHERE s.id = 1 AND e.seq <= s.sequenced_through
          AND NOT EXISTS (SELECT 1 FROM audit_log_entry l WHERE l.event_id = e.id)
        ORDER BY e.seq LIMIT ${MAX_BREAKS}`,
    );
  }
}
