import { leafHash } from './merkle';

/**
 * The columns of an audit event as stored, read so that nothing is lost on the way: `at` with
 * PostgreSQL's full microseconds in UTC (a JS Date would drop them), uuids and the rest as the
 * database prints them. The canonical entry is built from these values only, never from what a
 * caller passed in, so whatever the database normalised (upper-case UUIDs, a lone surrogate
 * stored as U+FFFD) is what gets hashed.
 */
export const ENTRY_COLUMNS = `e.id, e.seq::text AS seq, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
  e.actor_user_id, e.actor_organisation_id, e.actor_role, e.actor_country, e.action, e.case_id, e.case_lead_organisation_id,
  e.case_country, e.sections, e.outcome, e.legal_basis, e.justification, e.request_id, e.ip`;

export interface EntryRow {
  id: string;
  seq: string;
  at: string;
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
}

/**
 * The event's canonical bytes: UTF-8 JSON, keys in this fixed order, every audited field present
 * (null when empty), the supervisor-scope columns included (moving an event out of a
 * supervisor's sight is tampering like any other). The leaf hash is SHA-256(0x00 ‖ entry).
 */
export function canonicalEntry(row: EntryRow): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      id: row.id,
      seq: row.seq,
      at: row.at,
      actorUserId: row.actor_user_id,
      actorOrganisationId: row.actor_organisation_id,
      actorRole: row.actor_role,
      actorCountry: row.actor_country,
      action: row.action,
      caseId: row.case_id,
      caseLeadOrganisationId: row.case_lead_organisation_id,
      caseCountry: row.case_country,
      sections: row.sections,
      outcome: row.outcome,
      legalBasis: row.legal_basis,
      justification: row.justification,
      requestId: row.request_id,
      ip: row.ip,
    }),
    'utf8',
  );
}

export function entryLeafHash(row: EntryRow): Buffer {
  return leafHash(canonicalEntry(row));
}
