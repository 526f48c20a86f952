import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { AUDIT_EVENT_COLUMNS, type AuditEventRow, chainedFieldsOf, chainHash, GENESIS_HASH } from './audit-chain';
import {
  type AuditCheckpoint,
  AuditCheckpointService,
  type ChainPoint,
  checkpointColumns,
  checkpointOf,
  type CheckpointRow,
  readChainHead,
} from './audit-checkpoint.service';

export interface AuditVerification {
  valid: boolean;
  /** Events whose hash and linkage were checked. */
  checked: number;
  /** The first event found wrong, or, when a checkpoint shows a rewrite, the first event after the last checkpoint that still held. */
  firstInvalidId?: string;
  firstInvalidSeq?: string;
  /** What was found, for the person investigating; ids and numbers only. */
  reason?: string;
}

/**
 * Held shared by verification and exclusively by retention, so a verification never sees the
 * start of the chain disappear under it.
 */
export const PREFIX_LOCK_SQL = `hashtext('passage:audit:prefix')`;

interface EventRef {
  id: string;
  seq: string;
}

interface Walk {
  result: AuditVerification;
  last: ChainPoint;
  /** The first event not yet vouched for by a checkpoint: where a rewrite the hashes cannot show may begin. */
  unvouched?: EventRef;
}

/**
 * Walks the chain in seq order in keyset batches (memory does not grow with the chain),
 * recomputing every hash and checking linkage, seq continuity and the signed checkpoints.
 */
@Injectable()
export class AuditVerifier {
  batchSize = 5_000;
  private running?: Promise<AuditVerification>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly checkpoints: AuditCheckpointService,
  ) {}

  /**
   * Verifies the chain up to its head as it is when the run starts, and signs a checkpoint at
   * that head when it holds. Callers arriving during a run share its answer.
   */
  verify(): Promise<AuditVerification> {
    this.running ??= this.verifyNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async verifyNow(): Promise<AuditVerification> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock_shared(${PREFIX_LOCK_SQL})`);
      try {
        const head = await readChainHead(runner);
        const { result, last, unvouched } = await this.walk(runner, head);
        if (!result.valid) return result;
        if (last.seq !== head.seq) {
          return {
            valid: false,
            checked: result.checked,
            firstInvalidSeq: (BigInt(last.seq) + 1n).toString(),
            reason: `the chain head names seq ${head.seq} but the events end at seq ${last.seq}: events were removed from the end`,
          };
        }
        if (!last.hash.equals(head.hash)) {
          return {
            valid: false,
            checked: result.checked,
            firstInvalidId: unvouched?.id,
            firstInvalidSeq: unvouched?.seq ?? last.seq,
            reason: `the last event (seq ${last.seq}) does not match the chain head: the head or the events after the last checkpoint were rewritten`,
          };
        }
        const beyond = await this.beyondHead(runner, result.checked);
        if (beyond) return beyond;
        if (head.seq !== '0') {
          const latest: Array<{ seq: string | null }> = await runner.query(`SELECT max(seq)::text AS seq FROM audit_checkpoint`);
          if (!latest[0]?.seq || BigInt(latest[0].seq) < BigInt(head.seq)) await this.checkpoints.write(runner, 'verify', head);
        }
        return result;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock_shared(${PREFIX_LOCK_SQL})`);
      }
    } finally {
      await runner.release();
    }
  }

  /** Verifies from the chain's start up to `end` on the caller's connection, which must hold the prefix lock. */
  async verifyThrough(runner: QueryRunner, end: ChainPoint): Promise<AuditVerification> {
    const { result, last } = await this.walk(runner, end);
    if (result.valid && (last.seq !== end.seq || !last.hash.equals(end.hash))) {
      return { valid: false, checked: result.checked, firstInvalidSeq: last.seq, reason: `the events end at seq ${last.seq}, not at seq ${end.seq}` };
    }
    return result;
  }

  private async walk(runner: QueryRunner, end: ChainPoint): Promise<Walk> {
    const anchorRows: CheckpointRow[] = await runner.query(
      `SELECT ${checkpointColumns('c')} FROM audit_checkpoint c WHERE c.kind = 'retention' ORDER BY c.seq DESC, c.id DESC`,
    );
    const anchors = anchorRows.map(checkpointOf);
    const forgedAnchor = anchors.find((anchor) => !this.checkpoints.isAuthentic(anchor));
    if (forgedAnchor) return { result: forged(forgedAnchor, 0), last: { seq: '0', hash: GENESIS_HASH } };
    // Retention removed the events up to the newest retention checkpoint; the chain restarts from its hash.
    const start: ChainPoint = anchors[0] ? { seq: anchors[0].seq, hash: anchors[0].hash } : { seq: '0', hash: GENESIS_HASH };

    let prevSeq = BigInt(start.seq);
    let prevHash = start.hash;
    let checked = 0;
    let unvouched: EventRef | undefined;
    const endSeq = BigInt(end.seq);
    const invalid = (reason: string, event?: EventRef): Walk => ({
      result: { valid: false, checked, firstInvalidId: event?.id, firstInvalidSeq: event?.seq, reason },
      last: { seq: prevSeq.toString(), hash: prevHash },
    });

    // Checkpoints at the chain's start point vouch for the retention checkpoint's hash.
    let pending = await this.checkpointsBetween(runner, prevSeq - 1n, prevSeq);
    for (const checkpoint of pending) {
      if (!this.checkpoints.isAuthentic(checkpoint)) return { result: forged(checkpoint, checked), last: start };
      if (!checkpoint.hash.equals(prevHash)) return invalid(`checkpoint ${checkpoint.id} at seq ${checkpoint.seq} does not match the start of the chain`);
    }

    while (prevSeq < endSeq) {
      const rows: AuditEventRow[] = await runner.query(
        `SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY audit_event.seq LIMIT $3`,
        [prevSeq.toString(), end.seq, this.batchSize],
      );
      if (rows.length === 0) break;
      pending = await this.checkpointsBetween(runner, prevSeq, BigInt(rows[rows.length - 1]!.seq));
      let next = 0;
      for (const row of rows) {
        const seq = BigInt(row.seq);
        if (seq !== prevSeq + 1n) {
          return invalid(`event at seq ${row.seq} follows seq ${prevSeq}: ${seq > prevSeq + 1n ? 'events are missing' : 'events are out of order'}`, row);
        }
        if (!row.prev_hash.equals(prevHash)) return invalid(`event at seq ${row.seq} does not link to the event before it`, row);
        if (!chainHash(prevHash, chainedFieldsOf(row)).equals(row.hash)) return invalid(`event at seq ${row.seq} does not match its hash`, row);
        const suspect = (unvouched ??= { id: row.id, seq: row.seq });
        checked += 1;
        prevSeq = seq;
        prevHash = row.hash;
        while (next < pending.length && BigInt(pending[next]!.seq) === seq) {
          const checkpoint = pending[next]!;
          next += 1;
          if (!this.checkpoints.isAuthentic(checkpoint)) return { result: forged(checkpoint, checked), last: { seq: row.seq, hash: row.hash } };
          if (!checkpoint.hash.equals(row.hash)) {
            return invalid(
              `checkpoint ${checkpoint.id} signed at seq ${checkpoint.seq} does not match the chain: events from seq ${suspect.seq} to ${checkpoint.seq} were rewritten`,
              suspect,
            );
          }
          unvouched = undefined;
        }
      }
    }
    return { result: { valid: true, checked }, last: { seq: prevSeq.toString(), hash: prevHash }, unvouched };
  }

  /**
   * Evidence after the verified range, read against the head in the same statement so that
   * events committed meanwhile are not mistaken for it: an event past the head was inserted
   * outside the application; a checkpoint past the head vouches for events that are gone.
   */
  private async beyondHead(runner: QueryRunner, checked: number): Promise<AuditVerification | undefined> {
    const events: Array<{ id: string; seq: string; head: string }> = await runner.query(
      `SELECT e.id, e.seq::text AS seq, h.seq::text AS head FROM audit_event e JOIN audit_chain_head h ON h.id = 1 AND e.seq > h.seq ORDER BY e.seq LIMIT 1`,
    );
    if (events[0]) {
      return {
        valid: false,
        checked,
        firstInvalidId: events[0].id,
        firstInvalidSeq: events[0].seq,
        reason: `event at seq ${events[0].seq} lies beyond the chain head (seq ${events[0].head}): it was not written by the application`,
      };
    }
    const rows: Array<CheckpointRow & { head: string }> = await runner.query(
      `SELECT ${checkpointColumns('c')}, h.seq::text AS head
         FROM audit_checkpoint c JOIN audit_chain_head h ON h.id = 1 AND c.seq > h.seq ORDER BY c.seq DESC LIMIT 1`,
    );
    const row = rows[0];
    if (!row) return undefined;
    const checkpoint = checkpointOf(row);
    if (!this.checkpoints.isAuthentic(checkpoint)) return forged(checkpoint, checked);
    return {
      valid: false,
      checked,
      firstInvalidSeq: (BigInt(row.head) + 1n).toString(),
      reason: `checkpoint ${checkpoint.id} vouches for seq ${checkpoint.seq} but the chain ends at seq ${row.head}: events were removed from the end`,
    };
  }

  private async checkpointsBetween(runner: QueryRunner, afterSeq: bigint, throughSeq: bigint): Promise<AuditCheckpoint[]> {
    const rows: CheckpointRow[] = await runner.query(
      `SELECT ${checkpointColumns('c')} FROM audit_checkpoint c WHERE c.seq > $1 AND c.seq <= $2 ORDER BY c.seq, c.id`,
      [afterSeq.toString(), throughSeq.toString()],
    );
    return rows.map(checkpointOf);
  }
}

function forged(checkpoint: AuditCheckpoint, checked: number): AuditVerification {
  return {
    valid: false,
    checked,
    firstInvalidSeq: checkpoint.seq,
    reason: `checkpoint ${checkpoint.id} at seq ${checkpoint.seq} is not signed with the audit signing key: it was forged or altered`,
  };
}
