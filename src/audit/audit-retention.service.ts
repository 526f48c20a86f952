import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AuditAction } from './audit-action';
import { auditNoteSigner } from './audit-log-key';
import { AuditVerifier, PREFIX_LOCK_SQL } from './audit-verifier';
import { AuditWitness } from './audit-witness';
import { AuditService } from './audit.service';
import { openNote, parseCheckpointBody, parseVerifierKey, retentionBody } from './signed-note';

const DAY_MS = 86_400_000;

export interface RetentionOutcome {
  removed: number;
  /** The log's first entry still backed by its event. */
  throughSize?: string;
}

/**
 * AUDIT_RETENTION_DAYS: removes the events of the oldest log entries, always a prefix of the log
 * and never beyond the newest signed checkpoint. First the log up to that checkpoint is verified
 * (evidence of tampering is never thrown away), then a signed retention record names the prefix,
 * and only then do the rows go, which the database allows below such a record only. The leaf
 * hashes stay: the pruned range is still part of every root, so the checkpoint covering it keeps
 * proving it, and every later proof and consistency proof still works.
 */
@Injectable()
export class AuditRetentionService {
  private readonly logger = new Logger(AuditRetentionService.name);
  maxEventsPerRun = 1_000_000;
  deleteBatchSize = 10_000;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verifier: AuditVerifier,
    private readonly witness: AuditWitness,
    private readonly audit: AuditService,
  ) {}

  async apply(now: Date = new Date()): Promise<RetentionOutcome> {
    const days = this.config.auditRetentionDays;
    if (days === undefined) return { removed: 0 };
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const lock: Array<{ locked: boolean }> = await runner.query(`SELECT pg_try_advisory_lock(${PREFIX_LOCK_SQL}) AS locked`);
      if (!lock[0]?.locked) return { removed: 0 };
      try {
        return await this.removeBefore(runner, cutoff, days);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(${PREFIX_LOCK_SQL})`);
      }
    } finally {
      await runner.release();
    }
  }

  private async removeBefore(runner: QueryRunner, cutoff: Date, days: number): Promise<RetentionOutcome> {
    const signer = auditNoteSigner(this.config);
    const latest: Array<{ note: string }> = await runner.query(`SELECT note FROM audit_log_checkpoint ORDER BY tree_size DESC LIMIT 1`);
    const body = latest[0] && openNote(latest[0].note, parseVerifierKey(signer.verifierKey));
    const checkpoint = body ? parseCheckpointBody(body) : undefined;
    if (!checkpoint) return { removed: 0 };
    const [state]: Array<{ retained: string }> = await runner.query(`SELECT coalesce(max(through_size), 0)::text AS retained FROM audit_log_retention`);
    const from = BigInt(state!.retained);
    const limit = checkpoint.treeSize < from + BigInt(this.maxEventsPerRun) ? checkpoint.treeSize : from + BigInt(this.maxEventsPerRun);
    // The first entry, in log order, whose event is still young (or already gone by a retention before): the prefix ends there.
    const young: Array<{ log_index: string }> = await runner.query(
      `SELECT l.log_index::text FROM audit_log_entry l JOIN audit_event e ON e.id = l.event_id
        WHERE l.log_index >= $1 AND l.log_index < $2 AND e.at >= $3 ORDER BY l.log_index LIMIT 1`,
      [from.toString(), limit.toString(), cutoff],
    );
    const through = young[0] ? BigInt(young[0].log_index) : limit;
    if (through <= from) return { removed: 0 };

    const verification = await this.verifier.verifyOn(runner, checkpoint.treeSize);
    if (!verification.valid) {
      this.logger.error({ breaks: verification.breaks.length }, 'audit retention refused: the log it would prune does not verify');
      return { removed: 0 };
    }
    const note = signer.sign(retentionBody(signer.name, through, checkpoint));
    await runner.query(`INSERT INTO audit_log_retention (through_size, checkpoint_size, signed_at, note) VALUES ($1, $2, now(), $3)`, [
      through.toString(),
      checkpoint.treeSize.toString(),
      note,
    ]);
    await this.witness.record(note);
    let removed = 0;
    for (let start = from; start < through; start += BigInt(this.deleteBatchSize)) {
      const end = start + BigInt(this.deleteBatchSize) < through ? start + BigInt(this.deleteBatchSize) : through;
      const result = await runner.query(
        `DELETE FROM audit_event WHERE id IN (SELECT event_id FROM audit_log_entry WHERE log_index >= $1 AND log_index < $2)`,
        [start.toString(), end.toString()],
        true,
      );
      removed += (result as { affected?: number }).affected ?? 0;
    }
    await this.audit.recordNow({
      action: AuditAction.AuditRetention,
      outcome: 'allowed',
      justification: `retention of ${days} days: ${removed} events of log entries ${from} to ${through - 1n} removed`,
    });
    this.logger.log({ removed, throughSize: through.toString() }, 'audit retention applied');
    return { removed, throughSize: through.toString() };
  }
}
