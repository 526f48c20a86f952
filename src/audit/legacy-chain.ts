import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EntryRow } from './audit-entry';
import type { AuditBreak } from './log-auditor';

/**
 * Milestone 1's hash chain, kept verifiable: events written before the verifiable log carry
 * `prev_hash` and `hash` (SHA-256 of the previous hash and the event's fields), and its
 * checkpoints in audit_checkpoint are HMAC-SHA256 with AUDIT_SIGNING_KEY. Those events became
 * the first leaves of the log; checking the old chain too shows whether they were altered before
 * the first Ed25519 checkpoint covered them.
 */

export interface LegacyCheckpoint {
  id: string;
  kind: string;
  seq: string;
  hash: Buffer;
  signed_at: Date;
  signature: Buffer;
}

export type LegacyRow = EntryRow & { legacy_prev_hash: Buffer | null; legacy_hash: Buffer | null };

/** The fields the old chain hashed, in its fixed order (milestone 1's audit-chain.ts). */
function chainHash(prevHash: Buffer, row: LegacyRow): Buffer {
  const canonical = JSON.stringify([
    row.seq,
    row.id,
    new Date(row.at).toISOString(),
    row.actor_user_id,
    row.actor_organisation_id,
    row.actor_role,
    row.action,
    row.case_id,
    row.sections,
    row.outcome,
    row.legal_basis,
    row.justification,
    row.request_id,
    row.ip,
    row.actor_country,
    row.case_lead_organisation_id,
    row.case_country,
  ]);
  return createHash('sha256').update(prevHash).update(canonical, 'utf8').digest();
}

export class LegacyChainCheck {
  private readonly bySeq = new Map<string, LegacyCheckpoint[]>();
  /** The previous leaf's legacy hash, when the previous leaf was a legacy event. */
  private previous?: Buffer;

  constructor(
    key: Buffer,
    checkpoints: readonly LegacyCheckpoint[],
    private readonly report: (item: AuditBreak) => void,
  ) {
    for (const checkpoint of checkpoints) {
      const signature = createHmac('sha256', key)
        .update(
          `passage-audit-checkpoint/v1\n${checkpoint.kind}\n${checkpoint.seq}\n${checkpoint.hash.toString('hex')}\n${checkpoint.signed_at.toISOString()}`,
          'utf8',
        )
        .digest();
      if (signature.length !== checkpoint.signature.length || !timingSafeEqual(signature, checkpoint.signature)) {
        report({
          eventId: null,
          index: null,
          reason: `the milestone-1 checkpoint ${checkpoint.id} at seq ${checkpoint.seq} is not signed with the audit signing key`,
        });
        continue;
      }
      this.bySeq.set(checkpoint.seq, [...(this.bySeq.get(checkpoint.seq) ?? []), checkpoint]);
    }
  }

  /** Every leaf in log order; `row` is null when its event is gone. */
  leaf(index: bigint, row: LegacyRow | null): void {
    if (!row || !row.legacy_hash || !row.legacy_prev_hash) {
      this.previous = undefined;
      return;
    }
    const named = { eventId: row.id, index: index.toString() };
    if (this.previous && !row.legacy_prev_hash.equals(this.previous)) {
      this.report({ ...named, reason: 'the event does not link to the one before it in the milestone-1 hash chain' });
    }
    if (!chainHash(row.legacy_prev_hash, row).equals(row.legacy_hash)) {
      this.report({ ...named, reason: 'the event does not match its milestone-1 chain hash: it was altered before the log covered it' });
    }
    for (const checkpoint of this.bySeq.get(row.seq) ?? []) {
      if (!checkpoint.hash.equals(row.legacy_hash)) {
        this.report({ ...named, reason: `the milestone-1 checkpoint ${checkpoint.id} at seq ${checkpoint.seq} does not match the chain: it was rewritten` });
      }
    }
    this.previous = row.legacy_hash;
  }
}
