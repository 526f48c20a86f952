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

/** A text column as a JSON value: `to_json` escapes it the way JSON.stringify does (a NUL or a lone surrogate cannot be stored). */
const text = (column: string): string => `coalesce(to_json(${column})::text, 'null')`;
/** A uuid never needs escaping: its output is hex digits and dashes. */
const uuid = (column: string): string => `coalesce('"' || ${column}::text || '"', 'null')`;

/**
 * `canonicalEntry` computed by PostgreSQL from the row, for readers that only hash or ship the
 * entry (sequencer, verification, export, proofs): one text column instead of seventeen parsed
 * ones and a JSON.stringify per event. Same bytes as canonicalEntry for every storable row (a
 * spec checks hostile values); the expression is in the query itself, not a stored function, so
 * rewriting the database cannot change how it is computed.
 */
export const ENTRY_SQL = [
  `'{"v":1,"id":' || ${uuid('e.id')}`,
  `',"seq":"' || e.seq::text || '"'`,
  `',"at":"' || to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'`,
  `',"actorUserId":' || ${uuid('e.actor_user_id')}`,
  `',"actorOrganisationId":' || ${uuid('e.actor_organisation_id')}`,
  `',"actorRole":' || ${text('e.actor_role')}`,
  `',"actorCountry":' || ${text('e.actor_country')}`,
  `',"action":' || ${text('e.action')}`,
  `',"caseId":' || ${uuid('e.case_id')}`,
  `',"caseLeadOrganisationId":' || ${uuid('e.case_lead_organisation_id')}`,
  `',"caseCountry":' || ${text('e.case_country')}`,
  `',"sections":' || ${text('e.sections')}`,
  `',"outcome":' || ${text('e.outcome')}`,
  `',"legalBasis":' || ${text('e.legal_basis')}`,
  `',"justification":' || ${text('e.justification')}`,
  `',"requestId":' || ${text('e.request_id')}`,
  `',"ip":' || ${text('e.ip')} || '}'`,
].join(' || ');

/**
 * The leaf hash SHA-256(0x00 ‖ entry) of ENTRY_SQL, computed by PostgreSQL (sha256() is built in
 * since PG 11): verification then reads 32 bytes per event instead of the entry, and the hashing
 * runs in the database process, beside the walk's own work.
 */
export const ENTRY_LEAF_SQL = `sha256('\\x00'::bytea || convert_to(${ENTRY_SQL}, 'UTF8'))`;

/** The fields of a canonical entry, read back (milestone-1 events need them to recompute their old chain hash). */
export function entryRowOf(entry: string): EntryRow {
  const parsed = JSON.parse(entry) as Record<string, unknown>;
  return {
    id: parsed.id as string,
    seq: parsed.seq as string,
    at: parsed.at as string,
    actor_user_id: parsed.actorUserId as string | null,
    actor_organisation_id: parsed.actorOrganisationId as string | null,
    actor_role: parsed.actorRole as string | null,
    actor_country: parsed.actorCountry as string | null,
    action: parsed.action as string,
    case_id: parsed.caseId as string | null,
    case_lead_organisation_id: parsed.caseLeadOrganisationId as string | null,
    case_country: parsed.caseCountry as string | null,
    sections: parsed.sections as string[] | null,
    outcome: parsed.outcome as string,
    legal_basis: parsed.legalBasis as string | null,
    justification: parsed.justification as string | null,
    request_id: parsed.requestId as string | null,
    ip: parsed.ip as string | null,
  };
}
