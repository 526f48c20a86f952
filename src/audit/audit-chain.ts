import { createHash } from 'node:crypto';

/** The hash of the event before the first one. */
export const GENESIS_HASH = Buffer.alloc(32);

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
  actorCountry: string | null;
  caseLeadOrganisationId: string | null;
  caseCountry: string | null;
}

/**
 * hash = SHA-256(prev_hash || canonical JSON of the fields). The JSON is an array in a fixed
 * order, so it does not depend on how a driver orders object keys. The scope columns are
 * covered too: moving an event out of a supervisor's sight is tampering like any other.
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
    fields.actorCountry,
    fields.caseLeadOrganisationId,
    fields.caseCountry,
  ]);
  return createHash('sha256').update(prevHash).update(canonical, 'utf8').digest();
}

/** An audit_event row as the chain reads it back (snake_case, as the driver returns it). */
export interface AuditEventRow {
  seq: string;
  id: string;
  at: Date;
  actor_user_id: string | null;
  actor_organisation_id: string | null;
  actor_role: string | null;
  actor_country: string | null;
  action: string;
  case_id: string | null;
  case_lead_organisation_id: string | null;
  case_country: string | null;
  sections: string[] | null;
  outcome: string;
  legal_basis: string | null;
  justification: string | null;
  request_id: string | null;
  ip: string | null;
  prev_hash: Buffer;
  hash: Buffer;
}

/** Every column of audit_event, `seq` as text (bigint exceeds a JS number): order by `audit_event.seq`, not by the text alias. */
export const AUDIT_EVENT_COLUMNS = `seq::text AS seq, id, at, actor_user_id, actor_organisation_id, actor_role, actor_country, action, case_id,
  case_lead_organisation_id, case_country, sections, outcome, legal_basis, justification, request_id, ip, prev_hash, hash`;

export function chainedFieldsOf(row: AuditEventRow): ChainedFields {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at.toISOString(),
    actorUserId: row.actor_user_id,
    actorOrganisationId: row.actor_organisation_id,
    actorRole: row.actor_role,
    action: row.action,
    caseId: row.case_id,
    sections: row.sections,
    outcome: row.outcome,
    legalBasis: row.legal_basis,
    justification: row.justification,
    requestId: row.request_id,
    ip: row.ip,
    actorCountry: row.actor_country,
    caseLeadOrganisationId: row.case_lead_organisation_id,
    caseCountry: row.case_country,
  };
}
