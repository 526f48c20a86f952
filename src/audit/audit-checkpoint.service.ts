import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/** `periodic`: by the worker; `verify`: after a successful verification; `retention`: the new start of the chain. */
export type CheckpointKind = 'periodic' | 'verify' | 'retention';

export interface AuditCheckpoint {
  id: string;
  kind: CheckpointKind;
  seq: string;
  hash: Buffer;
  signedAt: Date;
  signature: Buffer;
}

export interface ChainPoint {
  seq: string;
  hash: Buffer;
}

export interface CheckpointRow {
  id: string;
  kind: CheckpointKind;
  seq: string;
  hash: Buffer;
  signed_at: Date;
  signature: Buffer;
}

export function checkpointColumns(alias = 'audit_checkpoint'): string {
  return `${alias}.id::text AS id, ${alias}.kind, ${alias}.seq::text AS seq, ${alias}.hash, ${alias}.signed_at, ${alias}.signature`;
}

export function checkpointOf(row: CheckpointRow): AuditCheckpoint {
  return { id: row.id, kind: row.kind, seq: row.seq, hash: row.hash, signedAt: row.signed_at, signature: row.signature };
}

type Queryable = Pick<EntityManager | QueryRunner | DataSource, 'query'>;

/**
 * Signed checkpoints: HMAC-SHA256 with AUDIT_SIGNING_KEY over (kind, seq, hash, time). Hashes
 * alone can be recomputed by anyone who rewrites the table; a checkpoint cannot be, so a rewrite
 * of events it covers is found. Rotating the key invalidates older checkpoints: keep the old key
 * until a fresh checkpoint, after a successful verification, covers the chain.
 */
@Injectable()
export class AuditCheckpointService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'auditSigningKey'>,
  ) {}

  signature(kind: CheckpointKind, seq: string, hash: Buffer, signedAt: Date): Buffer {
    return createHmac('sha256', this.config.auditSigningKey)
      .update(`passage-audit-checkpoint/v1\n${kind}\n${seq}\n${hash.toString('hex')}\n${signedAt.toISOString()}`, 'utf8')
      .digest();
  }

  isAuthentic(checkpoint: AuditCheckpoint): boolean {
    const expected = this.signature(checkpoint.kind, checkpoint.seq, checkpoint.hash, checkpoint.signedAt);
    return checkpoint.signature.length === expected.length && timingSafeEqual(checkpoint.signature, expected);
  }

  async write(db: Queryable, kind: CheckpointKind, point: ChainPoint): Promise<AuditCheckpoint> {
    // Millisecond precision, so the time read back from the database is the one that was signed.
    const signedAt = new Date(Date.now());
    const rows: CheckpointRow[] = await db.query(
      `INSERT INTO audit_checkpoint (kind, seq, hash, signed_at, signature) VALUES ($1, $2, $3, $4, $5) RETURNING ${checkpointColumns()}`,
      [kind, point.seq, point.hash, signedAt, this.signature(kind, point.seq, point.hash, signedAt)],
    );
    return checkpointOf(rows[0]!);
  }

  /**
   * Signs the chain head unless a checkpoint already covers it. Safe to run from several
   * workers at once: a transaction-scoped advisory lock lets one of them do it.
   */
  checkpoint(kind: Exclude<CheckpointKind, 'retention'> = 'periodic'): Promise<AuditCheckpoint | null> {
    return this.dataSource.transaction(async (manager) => {
      const lock: Array<{ locked: boolean }> = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('passage:audit:checkpoint')) AS locked`);
      if (!lock[0]?.locked) return null;
      const head = await readChainHead(manager);
      if (head.seq === '0') return null;
      const latest: Array<{ seq: string | null }> = await manager.query(`SELECT max(seq)::text AS seq FROM audit_checkpoint`);
      if (latest[0]?.seq && BigInt(latest[0].seq) >= BigInt(head.seq)) return null;
      return this.write(manager, kind, head);
    });
  }
}

export async function readChainHead(db: Queryable): Promise<ChainPoint> {
  const rows: ChainPoint[] = await db.query(`SELECT seq::text AS seq, hash FROM audit_chain_head WHERE id = 1`);
  if (!rows[0]) throw new Error('audit chain head is missing');
  return rows[0];
}
