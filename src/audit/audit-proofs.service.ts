import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal, RequestMeta } from '../access/principal';
import { Problem } from '../common/problem';
import { AuditAction } from './audit-action';
import { ENTRY_SQL } from './audit-entry';
import { loadSubtrees } from './audit-log-store';
import { auditScopeCovers, auditScopeOf } from '../access/supervisor-scope';
import { AuditService } from './audit.service';
import { consistencyRanges, evaluate, inclusionRanges, type LeafRange, rangeExpr, subtreesOf } from './merkle';

export interface LatestCheckpoint {
  treeSize: bigint;
  note: string;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  entry: string;
  inclusionPath: string[];
  checkpoint: string;
}

export interface ConsistencyProof {
  from: number;
  to: number;
  proof: string[];
}

/**
 * Proofs against the newest signed checkpoint. Every hash a proof needs is a complete subtree
 * stored by the sequencer, or is folded from a few of them, so a proof costs one query.
 */
@Injectable()
export class AuditProofs {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async latestCheckpoint(): Promise<LatestCheckpoint | undefined> {
    const rows: Array<{ tree_size: string; note: string }> = await this.dataSource.query(
      `SELECT tree_size::text, note FROM audit_log_checkpoint c ORDER BY c.tree_size DESC LIMIT 1`,
    );
    return rows[0] ? { treeSize: BigInt(rows[0].tree_size), note: rows[0].note } : undefined;
  }

  /** The newest signed checkpoint with its size, root and time, and how many entries the log holds now: the console's log page. */
  async logState(): Promise<{ entries: string; checkpoint: { treeSize: string; rootHash: string; signedAt: string; note: string } | null }> {
    const [row]: Array<{ entries: string; tree_size: string | null; root_hash: Buffer | null; signed_at: Date | null; note: string | null }> =
      await this.dataSource.query(
        `SELECT (SELECT coalesce(max(log_index) + 1, 0) FROM audit_log_entry)::text AS entries, c.tree_size::text, c.root_hash, c.signed_at, c.note
           FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM audit_log_checkpoint ORDER BY tree_size DESC LIMIT 1) c ON true`,
      );
    return {
      entries: row!.entries,
      checkpoint:
        row!.tree_size && row!.root_hash && row!.signed_at && row!.note
          ? { treeSize: row!.tree_size, rootHash: row!.root_hash.toString('base64'), signedAt: row!.signed_at.toISOString(), note: row!.note }
          : null,
    };
  }

  /** An event's inclusion proof, for a supervisor whose scope covers the event; the request is audited first. */
  async inclusion(principal: Principal, eventId: string, meta: RequestMeta): Promise<InclusionProof> {
    const rows: Array<{
      log_index: string | null;
      case_id: string | null;
      actor_organisation_id: string | null;
      actor_country: string | null;
      case_lead_organisation_id: string | null;
      case_country: string | null;
      entry: string;
    }> = await this.dataSource.query(
      `SELECT l.log_index::text, e.case_id, e.actor_organisation_id, e.actor_country, e.case_lead_organisation_id, e.case_country, ${ENTRY_SQL} AS entry
         FROM audit_event e LEFT JOIN audit_log_entry l ON l.event_id = e.id WHERE e.id = $1`,
      [eventId],
    );
    const row = rows[0];
    const covered =
      row &&
      auditScopeCovers(auditScopeOf(principal), {
        actorOrganisationId: row.actor_organisation_id,
        actorCountry: row.actor_country,
        caseLeadOrganisationId: row.case_lead_organisation_id,
        caseCountry: row.case_country,
      });
    await this.audit.recordNow({
      action: AuditAction.AuditQuery,
      outcome: covered ? 'allowed' : 'denied',
      actor: principal,
      caseId: row?.case_id ?? null,
      meta,
    });
    // Outside the supervisor's scope an event is as good as absent: its existence is not confirmed.
    if (!row || !covered) throw Problem.notFound('Audit event not found');
    const checkpoint = await this.latestCheckpoint();
    if (row.log_index === null || !checkpoint || BigInt(row.log_index) >= checkpoint.treeSize) {
      throw Problem.conflict('not-yet-checkpointed', 'The event is not yet in a signed checkpoint; ask again in a few seconds');
    }
    const index = BigInt(row.log_index);
    return {
      leafIndex: Number(index),
      treeSize: Number(checkpoint.treeSize),
      entry: Buffer.from(row.entry, 'utf8').toString('base64'),
      inclusionPath: (await this.hashes(inclusionRanges(index, checkpoint.treeSize))).map((hash) => hash.toString('base64')),
      checkpoint: checkpoint.note,
    };
  }

  /** RFC 9162 consistency proof between two tree sizes, both within the newest signed checkpoint. */
  async consistency(from: bigint, to: bigint): Promise<ConsistencyProof> {
    if (from < 1n || from > to) throw Problem.badRequest('The request is invalid', [{ path: 'from', message: 'must be at least 1 and at most to' }]);
    const checkpoint = await this.latestCheckpoint();
    if (!checkpoint || to > checkpoint.treeSize) {
      throw Problem.conflict('not-yet-checkpointed', `The log has no signed checkpoint of ${to} entries or more yet`);
    }
    const proof = await this.hashes(consistencyRanges(from, to));
    return { from: Number(from), to: Number(to), proof: proof.map((hash) => hash.toString('base64')) };
  }

  private async hashes(ranges: readonly LeafRange[]): Promise<Buffer[]> {
    const expressions = ranges.map((range) => rangeExpr(range.start, range.end));
    const stored = await loadSubtrees(
      this.dataSource,
      expressions.flatMap((expr) => subtreesOf(expr)),
    );
    return expressions.map((expr) => evaluate(expr, stored));
  }
}
