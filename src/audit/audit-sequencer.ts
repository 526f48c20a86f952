import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ENTRY_SQL } from './audit-entry';
import { auditNoteSigner } from './audit-log-key';
import { loadSubtrees } from './audit-log-store';
import { AuditWitness } from './audit-witness';
import { leafHash, MerkleFrontier } from './merkle';
import { checkpointBody, type NoteSigner } from './signed-note';

/** One advisory lock, held for the leader's whole session: whoever holds it is the only sequencer. */
const LEADER_LOCK_SQL = `hashtext('passage:audit:sequencer')`;
const POLL_MS = 100;
const FOLLOWER_POLL_MS = 1_000;
/** At most one checkpoint a second: signing is cheap, but every checkpoint is a row and a witness line. */
export const CHECKPOINT_INTERVAL_MS = 1_000;

interface SequencerState {
  frontier: MerkleFrontier;
  /** Every event with a seq up to here is in the log, and none can still commit. */
  sequencedThrough: bigint;
  /** A seq that becomes safe once every transaction then writing audit events has ended. */
  candidate?: { seq: bigint; writers: Set<string> };
  checkpointSize: bigint;
  checkpointAt: number;
}

/** An event to append: its canonical entry as PostgreSQL computes it from the stored row. */
interface SequencedRow {
  id: string;
  seq: string;
  entry: string;
}

export interface SignedCheckpoint {
  treeSize: bigint;
  rootHash: Buffer;
  note: string;
}

/**
 * Gives committed audit events their place in the log, off the request path. Only the worker
 * holding the leader lock sequences; the others wait and take over when its session ends.
 *
 * Commit-safe order: the sequencer only ever sees committed rows, and appends each once, in the
 * order it sees them (an event that commits late simply gets a later index). What must never
 * happen is that an event is skipped: events come from a sequence, so a slow transaction can
 * commit seq 5 after seq 6 was sequenced. `sequencedThrough` therefore only advances to a seq
 * read while the transactions then writing audit_event (they hold its RowExclusiveLock from
 * before they draw a seq until they end) have all ended; until then every unsequenced event
 * above it is looked at again each round. Only audit-writing transactions hold it back, not
 * unrelated long ones. Every batch appends leaf hashes and the complete subtrees they finish;
 * a checkpoint is signed at most once a second while the tree grows, stored, then handed to
 * the witness.
 */
@Injectable()
export class AuditSequencer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditSequencer.name);
  readonly signer: NoteSigner;
  batchSize = 5_000;
  private runner?: QueryRunner;
  private state?: SequencerState;
  private timer?: NodeJS.Timeout;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'auditSigningKey' | 'auditLogOrigin'>,
    private readonly witness: AuditWitness,
  ) {
    this.signer = auditNoteSigner(config);
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.exclusive(() => this.resign());
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.exclusive(() => this.round()).then((leader) => this.schedule(leader ? POLL_MS : FOLLOWER_POLL_MS));
    }, delay);
    this.timer.unref();
  }

  /** Rounds and catch-ups run one at a time: they share the leader connection and the frontier. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async round(): Promise<boolean> {
    try {
      if (!(await this.lead())) return false;
      await this.integrate(false);
      return true;
    } catch (error) {
      this.logger.error({ err: { message: (error as Error).message } }, 'audit sequencing failed');
      await this.resign();
      return false;
    }
  }

  /**
   * Integrates every event committed so far and signs a checkpoint over it, whatever the time
   * since the last one. Returns the newest checkpoint, or undefined when the log is empty or
   * another process is the leader.
   */
  catchUp(): Promise<SignedCheckpoint | undefined> {
    return this.exclusive(async () => {
      if (!(await this.lead())) return undefined;
      try {
        return await this.integrate(true);
      } catch (error) {
        await this.resign();
        throw error;
      }
    });
  }

  private async lead(): Promise<boolean> {
    if (this.runner && !this.runner.isReleased) return true;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const rows: Array<{ leader: boolean }> = await runner.query(`SELECT pg_try_advisory_lock(${LEADER_LOCK_SQL}) AS leader`);
      if (!rows[0]?.leader) {
        await runner.release();
        return false;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    this.runner = runner;
    this.state = undefined;
    this.logger.log('this process sequences the audit log');
    return true;
  }

  private async resign(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    this.state = undefined;
    if (!runner || runner.isReleased) return;
    try {
      await runner.query(`SELECT pg_advisory_unlock(${LEADER_LOCK_SQL})`);
    } catch {
      // The session is gone, and its lock with it.
    }
    await runner.release();
  }

  private async loadState(runner: QueryRunner): Promise<SequencerState> {
    const rows: Array<{ tree_size: string; sequenced_through: string }> = await runner.query(
      `SELECT tree_size::text, sequenced_through::text FROM audit_log_state WHERE id = 1`,
    );
    const row = rows[0];
    if (!row) throw new Error('audit_log_state is missing');
    const size = BigInt(row.tree_size);
    const frontier = MerkleFrontier.of(size, await loadSubtrees(runner, MerkleFrontier.refsFor(size)));
    const latest: Array<{ tree_size: string; signed_at: Date }> = await runner.query(
      `SELECT tree_size::text, signed_at FROM audit_log_checkpoint c ORDER BY c.tree_size DESC LIMIT 1`,
    );
    return {
      frontier,
      sequencedThrough: BigInt(row.sequenced_through),
      checkpointSize: BigInt(latest[0]?.tree_size ?? 0),
      checkpointAt: latest[0]?.signed_at.getTime() ?? 0,
    };
  }

  private async integrate(forceCheckpoint: boolean): Promise<SignedCheckpoint | undefined> {
    const runner = this.runner!;
    const state = (this.state ??= await this.loadState(runner));
    // First the sequence, then who is writing: a transaction holding a seq up to `drawn` held the table lock before drawing it.
    const [drawn]: Array<{ seq: string }> = await runner.query(
      `SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::text AS seq FROM audit_event_seq`,
    );
    const writers: Array<{ vxid: string }> = await runner.query(
      `SELECT DISTINCT virtualtransaction AS vxid FROM pg_locks
        WHERE locktype = 'relation' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND relation = 'audit_event'::regclass AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()`,
    );
    const writing = new Set(writers.map((row) => row.vxid));
    let safe: bigint | undefined;
    if (!state.candidate || [...state.candidate.writers].every((vxid) => !writing.has(vxid))) {
      // The candidate's writers have all ended before the rows below are read, so all its events are visible to them.
      safe = state.candidate?.seq;
      state.candidate = { seq: BigInt(drawn!.seq), writers: writing };
    }
    let signed: SignedCheckpoint | undefined;
    let after = state.sequencedThrough;
    for (;;) {
      const rows: SequencedRow[] = await runner.query(
        `SELECT e.id, e.seq::text AS seq, ${ENTRY_SQL} AS entry FROM audit_event e
          WHERE e.seq > $1 AND NOT EXISTS (SELECT 1 FROM audit_log_entry l WHERE l.event_id = e.id)
          ORDER BY e.seq LIMIT $2`,
        [after.toString(), this.batchSize],
      );
      const full = rows.length === this.batchSize;
      const through = !full && safe !== undefined && safe > state.sequencedThrough ? safe : undefined;
      const due =
        state.frontier.treeSize + BigInt(rows.length) > state.checkpointSize && (forceCheckpoint || Date.now() - state.checkpointAt >= CHECKPOINT_INTERVAL_MS);
      if (rows.length === 0 && !due && through === undefined) return signed;
      signed = (await this.append(runner, state, rows, due && !full, through)) ?? signed;
      if (!full) return signed;
      after = BigInt(rows[rows.length - 1]!.seq);
    }
  }

  /** One transaction: the batch's entries, the subtrees it completes, the cursor, and perhaps a checkpoint. */
  private async append(
    runner: QueryRunner,
    state: SequencerState,
    rows: SequencedRow[],
    sign: boolean,
    through: bigint | undefined,
  ): Promise<SignedCheckpoint | undefined> {
    const indexes: string[] = [];
    const ids: string[] = [];
    const seqs: string[] = [];
    const leaves: Buffer[] = [];
    const nodeLevels: number[] = [];
    const nodeIndexes: string[] = [];
    const nodeHashes: Buffer[] = [];
    const working = state.frontier;
    for (const row of rows) {
      const leaf = leafHash(row.entry);
      indexes.push(working.treeSize.toString());
      ids.push(row.id);
      seqs.push(row.seq);
      leaves.push(leaf);
      working.append(leaf, (level, index, hash) => {
        nodeLevels.push(level);
        nodeIndexes.push(index.toString());
        nodeHashes.push(hash);
      });
    }
    let checkpoint: SignedCheckpoint | undefined;
    await runner.startTransaction();
    try {
      if (rows.length > 0) {
        await runner.query(
          `INSERT INTO audit_log_entry (log_index, event_id, leaf_hash, seq) SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bytea[], $4::bigint[])`,
          [indexes, ids, leaves, seqs],
        );
        if (nodeLevels.length > 0) {
          await runner.query(`INSERT INTO audit_log_node (level, node_index, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`, [
            nodeLevels,
            nodeIndexes,
            nodeHashes,
          ]);
        }
      }
      if (rows.length > 0 || through !== undefined) {
        await runner.query(`UPDATE audit_log_state SET tree_size = $1, sequenced_through = $2 WHERE id = 1`, [
          working.treeSize.toString(),
          (through ?? state.sequencedThrough).toString(),
        ]);
      }
      if (sign) {
        const signedAt = new Date();
        const rootHash = working.root();
        const note = this.signer.sign(checkpointBody({ origin: this.signer.name, treeSize: working.treeSize, rootHash }));
        await runner.query(`INSERT INTO audit_log_checkpoint (tree_size, root_hash, signed_at, note) VALUES ($1, $2, $3, $4)`, [
          working.treeSize.toString(),
          rootHash,
          signedAt,
          note,
        ]);
        checkpoint = { treeSize: working.treeSize, rootHash, note };
        state.checkpointAt = signedAt.getTime();
      }
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      // The in-memory frontier ran ahead of the database: load it again next time.
      this.state = undefined;
      throw error;
    }
    if (through !== undefined) state.sequencedThrough = through;
    if (checkpoint) {
      state.checkpointSize = checkpoint.treeSize;
      try {
        await this.witness.record(checkpoint.note);
      } catch (error) {
        this.logger.error(
          { err: { message: (error as Error).message }, treeSize: checkpoint.treeSize.toString() },
          'the audit witness file could not be written',
        );
      }
    }
    return checkpoint;
  }
}
