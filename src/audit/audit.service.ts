import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal, RequestMeta } from '../access/principal';
import { Problem } from '../common/problem';
import type { AuditAction, AuditOutcome } from './audit-action';
import { chainHash, type ChainedFields } from './audit-chain';

/** The case an event is about, as the supervisor scope needs it. */
export interface AuditCaseOwner {
  leadOrganisationId: string;
  country: string;
}

/** What a caller says about an access. Ids and case references only: never case content. */
export interface AuditEntry {
  action: AuditAction;
  outcome: AuditOutcome;
  /** A Principal fits as it is; without `country`, the organisation's country is looked up. */
  actor?: (Pick<Principal, 'userId' | 'organisationId' | 'role'> & { country?: string | null }) | null;
  caseId?: string | null;
  /** The case's lead organisation and country, when the caller has the case at hand; otherwise looked up by `caseId`. */
  caseOwner?: AuditCaseOwner | null;
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
    // Looked up before the chain head is locked, so the serialised part stays two statements long.
    const scope = await this.scopeOf(manager, entry);
    const head: Array<{ seq: string; hash: Buffer; at: Date }> = await manager.query(
      `SELECT seq::text AS seq, hash, at FROM audit_chain_head WHERE id = 1 FOR UPDATE`,
    );
    const prev = head[0];
    if (!prev) throw new Error('audit chain head is missing');
    // Never earlier than the event before, whatever this host's clock says: a time window is then a seq range.
    const now = new Date();
    const at = now > prev.at ? now : prev.at;
    const fields: ChainedFields = {
      seq: (BigInt(prev.seq) + 1n).toString(),
      id: randomUUID(),
      at: at.toISOString(),
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
      ...scope,
    };
    const hash = chainHash(prev.hash, fields);
    try {
      await this.append(manager, fields, prev.hash, hash);
    } catch (error) {
      // The caller's transaction is lost with it: the change it would have traced is not made.
      this.logger.error({ action: entry.action, caseId: entry.caseId, err: { message: (error as Error).message } }, 'audit write failed');
      throw Problem.unavailable('The action could not be recorded in the audit trail, so nothing was changed. Try again shortly.');
    }
  }

  private async append(manager: EntityManager, fields: ChainedFields, prevHash: Buffer, hash: Buffer): Promise<void> {
    await manager.query(
      `INSERT INTO audit_event (seq, id, at, actor_user_id, actor_organisation_id, actor_role, action, case_id, sections, outcome,
                                legal_basis, justification, request_id, ip, actor_country, case_lead_organisation_id, case_country, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
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
        fields.actorCountry,
        fields.caseLeadOrganisationId,
        fields.caseCountry,
        prevHash,
        hash,
      ],
    );
    await manager.query(`UPDATE audit_chain_head SET seq = $1, hash = $2, at = $3 WHERE id = 1`, [fields.seq, hash, fields.at]);
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

  /** The columns the supervisor scope filters on, captured now so later queries need no join. */
  private async scopeOf(manager: EntityManager, entry: AuditEntry): Promise<Pick<ChainedFields, 'actorCountry' | 'caseLeadOrganisationId' | 'caseCountry'>> {
    let actorCountry = entry.actor?.country ?? null;
    if (entry.actor && entry.actor.country === undefined) {
      const rows: Array<{ country: string | null }> = await manager.query(`SELECT country FROM organisation WHERE id = $1`, [entry.actor.organisationId]);
      actorCountry = rows[0]?.country ?? null;
    }
    let owner = entry.caseOwner ?? null;
    if (!owner && entry.caseId) {
      // A denied attempt may name a case that does not exist: then the event has no case scope.
      const rows: Array<{ lead_organisation_id: string; country: string }> = await manager.query(
        `SELECT lead_organisation_id, country FROM "case" WHERE id = $1`,
        [entry.caseId],
      );
      owner = rows[0] ? { leadOrganisationId: rows[0].lead_organisation_id, country: rows[0].country } : null;
    }
    return { actorCountry, caseLeadOrganisationId: owner?.leadOrganisationId ?? null, caseCountry: owner?.country ?? null };
  }
}
