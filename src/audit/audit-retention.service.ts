import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AuditAction } from './audit-action';
import { AuditCheckpointService, type ChainPoint } from './audit-checkpoint.service';
import { AuditService } from './audit.service';
import { AuditVerifier, PREFIX_LOCK_SQL } from './audit-verifier';

const DAY_MS = 86_400_000;

export interface RetentionOutcome {
  removed: number;
  /** The last removed event; the chain now starts after it. */
  throughSeq?: string;
}

/**
 * AUDIT_RETENTION_DAYS: removes the oldest events, always a prefix of the chain. First the
 * prefix is verified (evidence of tampering is never thrown away), then a signed "retention"
 * checkpoint records the hash of its last event, which becomes the chain's new starting point
 * for verification, and only then do the rows go, which the database allows below such a
 * checkpoint only. A run is bounded, so a first run on a large backlog proceeds in steps.
 */
@Injectable()
export class AuditRetentionService {
  private readonly logger = new Logger(AuditRetentionService.name);
  maxEventsPerRun = 1_000_000;
  deleteBatchSize = 10_000;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly checkpoints: AuditCheckpointService,
    private readonly verifier: AuditVerifier,
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
    const boundary = await this.lastExpired(runner, cutoff);
    if (!boundary) return { removed: 0 };
    const verification = await this.verifier.verifyThrough(runner, boundary);
    if (!verification.valid) {
      this.logger.error({ verification }, 'audit retention refused: the events it would remove do not verify');
      return { removed: 0 };
    }
    await this.checkpoints.write(runner, 'retention', boundary);
    let removed = 0;
    for (;;) {
      const result = await runner.query(
        `DELETE FROM audit_event WHERE seq IN (SELECT seq FROM audit_event WHERE seq <= $1 ORDER BY seq LIMIT $2)`,
        [boundary.seq, this.deleteBatchSize],
        true,
      );
      const affected = (result as { affected?: number }).affected ?? 0;
      removed += affected;
      if (affected < this.deleteBatchSize) break;
    }
    await this.audit.recordNow({
      action: AuditAction.AuditRetention,
      outcome: 'allowed',
      justification: `retention of ${days} days: ${removed} events through seq ${boundary.seq} removed`,
    });
    this.logger.log({ removed, throughSeq: boundary.seq }, 'audit retention applied');
    return { removed, throughSeq: boundary.seq };
  }

  /**
   * The last event of the expired prefix, found by walking forward from the chain's start
   * (the rows about to go are read once anyway) and stopping at the first event still kept.
   */
  private async lastExpired(runner: QueryRunner, cutoff: Date): Promise<ChainPoint | undefined> {
    const start: Array<{ seq: string }> = await runner.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM audit_checkpoint WHERE kind = 'retention'`);
    let after = start[0]!.seq;
    let last: ChainPoint | undefined;
    let seen = 0;
    while (seen < this.maxEventsPerRun) {
      const rows: Array<{ seq: string; at: Date; hash: Buffer }> = await runner.query(
        `SELECT e.seq::text AS seq, e.at, e.hash FROM audit_event e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`,
        [after, Math.min(5_000, this.maxEventsPerRun - seen)],
      );
      if (rows.length === 0) return last;
      for (const row of rows) {
        if (row.at >= cutoff) return last;
        last = { seq: row.seq, hash: row.hash };
      }
      seen += rows.length;
      after = rows[rows.length - 1]!.seq;
    }
    return last;
  }
}
