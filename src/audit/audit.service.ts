import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal, RequestMeta } from '../auth/principal';
import { Problem } from '../common/problem';
import type { AuditAction, AuditOutcome } from './audit-action';
import { chainHash, type ChainedFields } from './audit-chain';

/** What a caller says about an access. Ids and case references only: never case content. */
export interface AuditEntry {
  action: AuditAction;
  outcome: AuditOutcome;
  actor?: Pick<Principal, 'userId' | 'organisationId' | 'role'> | null;
  caseId?: string | null;
  sections?: readonly string[] | null;
  legalBasis?: string | null;
  justification?: string | null;
  meta?: RequestMeta | null;
}

/**
 * Writes audit events onto the hash chain. `record` runs inside the caller's transaction, so a
 * change and its trace commit together or not at all; call it last in the transaction, since it
 * holds the chain head's row lock until commit.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const head: Array<{ seq: string; hash: Buffer }> = await manager.query(`SELECT seq::text AS seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`);
    const prev = head[0];
    if (!prev) throw new Error('audit chain head is missing');
    const fields: ChainedFields = {
      seq: (BigInt(prev.seq) + 1n).toString(),
      id: randomUUID(),
      at: new Date().toISOString(),
      actorUserId: entry.actor?.userId ?? null,
      actorOrganisationId: entry.actor?.organisationId ?? null,
      actorRole: entry.actor?.role ?? null,
      action: entry.action,
      caseId: entry.caseId ?? null,
      sections: entry.sections ? [...entry.sections] : null,
      outcome: entry.outcome,
      legalBasis: entry.legalBasis ?? null,
      justification: entry.justification ?? null,
      requestId: entry.meta?.requestId ?? null,
      ip: entry.meta?.ip ?? null,
    };
    const hash = chainHash(prev.hash, fields);
    await manager.query(
      `INSERT INTO audit_event (seq, id, at, actor_user_id, actor_organisation_id, actor_role, action, case_id, sections, outcome,
                                legal_basis, justification, request_id, ip, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        fields.seq,
        fields.id,
        fields.at,
        fields.actorUserId,
        fields.actorOrganisationId,
        fields.actorRole,
        fields.action,
        fields.caseId,
        fields.sections,
        fields.outcome,
        fields.legalBasis,
        fields.justification,
        fields.requestId,
        fields.ip,
        prev.hash,
        hash,
      ],
    );
    await manager.query(`UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1`, [fields.seq, hash]);
  }

  /**
   * An event in its own transaction (reads, denials, sign-ins). Fails closed: if the trace
   * cannot be written the caller gets 503 and must not return the data.
   */
  async recordNow(entry: AuditEntry): Promise<void> {
    try {
      await this.dataSource.transaction((manager) => this.record(manager, entry));
    } catch (error) {
      this.logger.error({ action: entry.action, caseId: entry.caseId, err: { message: (error as Error).message } }, 'audit write failed');
      throw Problem.unavailable('The access could not be recorded in the audit trail, so it was refused. Try again shortly.');
    }
  }
}
