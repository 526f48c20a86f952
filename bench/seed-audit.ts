import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { LegalBasis, Section } from '../src/access/policy';
import { AuditAction } from '../src/audit/audit-action';
import { Role } from '../src/access/role';
import type { Random } from './random';
import { type Directory, type DirectoryUser, type SeededCase, settled } from './seed-cases';

/** An audit event as the bench generates it: the columns AuditService writes, plus a time a year back. */
interface SeedEvent {
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

/** Where each field is stored. Typed by SeedEvent, so a new field cannot be forgotten here. */
const COLUMNS: Record<keyof SeedEvent, { column: string; type: string }> = {
  id: { column: 'id', type: 'uuid' },
  at: { column: 'at', type: 'timestamptz' },
  actorUserId: { column: 'actor_user_id', type: 'uuid' },
  actorOrganisationId: { column: 'actor_organisation_id', type: 'uuid' },
  actorRole: { column: 'actor_role', type: 'text' },
  action: { column: 'action', type: 'text' },
  caseId: { column: 'case_id', type: 'uuid' },
  sections: { column: 'sections', type: 'text[]' },
  outcome: { column: 'outcome', type: 'text' },
  legalBasis: { column: 'legal_basis', type: 'text' },
  justification: { column: 'justification', type: 'text' },
  requestId: { column: 'request_id', type: 'text' },
  ip: { column: 'ip', type: 'text' },
  actorCountry: { column: 'actor_country', type: 'char(2)' },
  caseLeadOrganisationId: { column: 'case_lead_organisation_id', type: 'uuid' },
  caseCountry: { column: 'case_country', type: 'char(2)' },
};
const FIELDS = Object.keys(COLUMNS) as Array<keyof SeedEvent>;
const BATCH = 10_000;
const YEAR = 365 * 86_400_000;

/** One INSERT ... SELECT FROM unnest(...) with an array parameter per column; array columns travel as their text literal. */
const INSERT_SQL = (() => {
  const columns = FIELDS.map((field) => COLUMNS[field].column);
  const params = FIELDS.map((field, index) => `$${index + 1}::${COLUMNS[field].type.endsWith('[]') ? 'text' : COLUMNS[field].type}[]`);
  const selected = FIELDS.map((field) =>
    COLUMNS[field].type.endsWith('[]') ? `t.${COLUMNS[field].column}::${COLUMNS[field].type}` : `t.${COLUMNS[field].column}`,
  );
  return `INSERT INTO audit_event (${columns.join(', ')}) SELECT ${selected.join(', ')} FROM unnest(${params.join(', ')}) AS t(${columns.join(', ')})`;
})();

export interface AuditSeedStats {
  inserted: number;
  seconds: number;
}

/**
 * Inserts `count` plausible events the fast way, batched, in one transaction. They are plain
 * rows as AuditService writes them: the sequencer integrates them into the log afterwards
 * (run.ts measures that separately).
 */
export async function seedAuditEvents(
  client: Client,
  directory: Directory,
  cases: readonly SeededCase[],
  random: Random,
  count: number,
  log: (line: string) => void,
): Promise<AuditSeedStats> {
  const started = performance.now();
  const operational = directory.users.filter((u) => [Role.Officer, Role.Inspector, Role.Prosecutor, Role.Caseworker, Role.MigrationOfficer].includes(u.role));
  const supervisors = directory.users.filter((u) => u.role === Role.Supervisor);
  const actions: ReadonlyArray<readonly [AuditAction, number]> = [
    [AuditAction.CaseRead, 55],
    [AuditAction.CaseList, 15],
    [AuditAction.CaseSectionUpdate, 8],
    [AuditAction.Login, 5],
    [AuditAction.LoginFailed, 1],
    [AuditAction.CaseCreate, 3],
    [AuditAction.ReferralCreate, 3],
    [AuditAction.ReferralAccept, 2],
    [AuditAction.AuditQuery, 3],
    [AuditAction.BreakGlass, 1],
    [AuditAction.CaseAccessExplain, 4],
  ];
  const readable = [Section.Summary, Section.Identity, Section.Investigation, Section.Immigration];

  await client.query('BEGIN');
  try {
    const last = await client.query<{ at: Date | null }>(`SELECT max(at) AS at FROM audit_event`);
    // Events a year back up to now, in seq order, as in production.
    const end = Date.now() - 1000;
    const from = Math.max(last.rows[0]?.at?.getTime() ?? 0, end - YEAR);
    const step = (end - from) / Math.max(1, count);

    let inFlight: Promise<void> = Promise.resolve();
    for (let batchStart = 0; batchStart < count; batchStart += BATCH) {
      const size = Math.min(BATCH, count - batchStart);
      const columns: unknown[][] = FIELDS.map(() => []);
      for (let i = 0; i < size; i += 1) {
        const fields = plausibleEvent(random, actions, operational, supervisors, cases, readable, new Date(from + (batchStart + i + 1) * step).toISOString());
        FIELDS.forEach((field, index) => {
          const value = fields[field];
          columns[index]!.push(Array.isArray(value) ? `{${value.join(',')}}` : value);
        });
      }
      // PostgreSQL inserts this batch while the next one is generated.
      await inFlight;
      inFlight = settled(client.query(INSERT_SQL, columns));
      if ((batchStart / BATCH) % 20 === 19) log(`  ${(batchStart + size).toLocaleString('en')} audit events`);
    }
    await inFlight;
    await client.query('COMMIT');
    return { inserted: count, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function plausibleEvent(
  random: Random,
  actions: ReadonlyArray<readonly [AuditAction, number]>,
  operational: readonly DirectoryUser[],
  supervisors: readonly DirectoryUser[],
  cases: readonly SeededCase[],
  readable: readonly Section[],
  at: string,
): SeedEvent {
  const action = random.weighted(actions);
  const actor = action === AuditAction.AuditQuery ? random.pick(supervisors) : random.pick(operational);
  const caseScoped = ![AuditAction.CaseList, AuditAction.Login, AuditAction.LoginFailed, AuditAction.AuditQuery].includes(action);
  const target = caseScoped ? random.pick(cases) : undefined;
  const denied = action === AuditAction.LoginFailed || (action === AuditAction.CaseRead && random.chance(0.03));
  let sections: string[] | null = null;
  if (action === AuditAction.CaseRead && !denied) sections = random.sample(readable, random.int(1, readable.length));
  else if (action === AuditAction.CaseList) sections = [Section.Summary];
  else if (action === AuditAction.CaseSectionUpdate) sections = [random.pick(readable)];
  else if (action === AuditAction.BreakGlass) sections = [Section.Summary, Section.Identity];
  const anonymous = action === AuditAction.LoginFailed;
  return {
    at,
    id: randomUUID(),
    actorUserId: anonymous ? null : actor.id,
    actorOrganisationId: anonymous ? null : actor.organisationId,
    actorRole: anonymous ? null : actor.role,
    action,
    caseId: target?.id ?? null,
    sections,
    outcome: denied ? 'denied' : 'allowed',
    legalBasis:
      target && !denied
        ? action === AuditAction.BreakGlass
          ? LegalBasis.BreakGlass
          : random.pick([LegalBasis.Lead, LegalBasis.LawEnforcement, LegalBasis.Consent])
        : null,
    justification: action === AuditAction.BreakGlass ? 'Victim presented at night; lead organisation unreachable, identity needed.' : null,
    requestId: randomUUID(),
    ip: `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    actorCountry: anonymous ? null : actor.country,
    caseLeadOrganisationId: target?.leadOrganisationId ?? null,
    caseCountry: target?.country ?? null,
  };
}
