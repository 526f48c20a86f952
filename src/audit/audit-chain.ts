import { createHash } from 'node:crypto';

/** The fields of an audit event that the hash covers, in a fixed order. */
export interface ChainedFields {
  seq: string;
  id: string;
  at: string;
  actorUserId: string | null;
  actorOrganisationId: string | null;
  actorRole: string | null;
  action: string;
  caseId: string | null;
  sections: string[] | null;
  outcome: string;
  legalBasis: string | null;
  justification: string | null;
  requestId: string | null;
  ip: string | null;
}

/**
 * hash = SHA-256(prev_hash || canonical JSON of the fields). The JSON is an array in a fixed
 * order, so it does not depend on how a driver orders object keys.
 */
export function chainHash(prevHash: Buffer, fields: ChainedFields): Buffer {
  const canonical = JSON.stringify([
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
  ]);
  return createHash('sha256').update(prevHash).update(canonical, 'utf8').digest();
}
