import { COUNTRIES, ORGANISATION_TYPES } from '../src/access/organisation-type';
import type { CaseSubject } from '../src/access/case-ability.factory';
import { LegalBasis, Purpose, Section } from '../src/access/policy';
import { Role } from '../src/access/role';
import type { AuditOutcome } from '../src/audit/audit-action';
import { BREAK_GLASS_VERDICTS } from '../src/break-glass/dto/break-glass.dto';
import { CLOSE_REASONS, CLOSURE_STATUSES } from '../src/cases/dto/case.dto';
import { DeadlineKind } from '../src/deadlines/deadline-kind';
import { DOCUMENT_SECTIONS } from '../src/documents/dto/document.dto';
import { DocumentMimeType } from '../src/documents/document-type';
import { BlindIndexKind } from '../src/matching/blind-index';
import { NOTE_KINDS, NOTE_VISIBILITIES } from '../src/notes/dto/note.dto';
import { CONSENT_REPORTERS } from '../src/participation/dto/participation.dto';
import type { DeliveryDto } from '../src/notifications/dto/webhook.dto';
import { type ConsentDto, REFERRAL_PURPOSES } from '../src/referrals/dto/referral.dto';
import { ReferralStatus, Urgency } from '../src/referrals/referral-rules';
import { TASK_STATUSES } from '../src/tasks/dto/task.dto';
import { LANGUAGES } from '../src/common/language';
import { withClient, workerDatabaseUrl } from './support/database';

/**
 * The members of a string union, as a value: the Record type makes the compiler insist on every
 * member and refuse any other, so the list below cannot drift from the type either.
 */
function membersOf<T extends string>(members: Record<T, true>): string[] {
  return Object.keys(members);
}

/** Every CHECK constraint that lists allowed values, keyed `table.column`, with the TypeScript values it mirrors. */
const MIRRORS: Record<string, readonly string[]> = {
  'break_glass_grant.review_verdict': BREAK_GLASS_VERDICTS,
  'case.close_reason': CLOSE_REASONS,
  'case.country': COUNTRIES,
  'case_closure.reason': CLOSE_REASONS,
  'case_closure.status': CLOSURE_STATUSES,
  'case.status': membersOf<CaseSubject['status']>({ open: true, closed: true }),
  'user.language': LANGUAGES,
  'user.role': Object.values(Role),
  'audit_event.outcome': membersOf<AuditOutcome>({ allowed: true, denied: true }),
  'case_document.mime_type': Object.values(DocumentMimeType),
  'case_document.section': DOCUMENT_SECTIONS,
  'case_identity_index.kind': Object.values(BlindIndexKind),
  'case_note.kind': NOTE_KINDS,
  'case_note.visibility': NOTE_VISIBILITIES,
  'case_section.section': Object.values(Section),
  'case_task.status': TASK_STATUSES,
  'consent.withdrawal_reported_by': CONSENT_REPORTERS,
  'consent.given_by': membersOf<ConsentDto['by']>({ victim: true, guardian: true }),
  'deadline.kind': Object.values(DeadlineKind),
  'organisation.country': COUNTRIES,
  'organisation.type': ORGANISATION_TYPES,
  // A break-glass grant is its own table, never a participation.
  'participation.legal_basis': Object.values(LegalBasis).filter((basis) => basis !== LegalBasis.BreakGlass),
  'participation.purpose': Object.values(Purpose),
  'referral.purpose': REFERRAL_PURPOSES,
  'referral.status': Object.values(ReferralStatus),
  'referral.urgency': Object.values(Urgency),
  'webhook_delivery.status': membersOf<DeliveryDto['status']>({ pending: true, delivered: true, dead: true }),
};

/** Value lists that exist only in SQL (each is written as a literal by one statement), so there is no enum to compare with. */
const SQL_ONLY = ['audit_checkpoint.kind', 'auth_session.revoked_reason', 'participation.revoked_reason'];

/** `col = ANY (ARRAY['a'::text, 'b'::text])` as pg_get_constraintdef prints `col IN ('a', 'b')`. */
const VALUE_LIST = /\(?\(?(\w+)\)?(?:::\w+)? = ANY \(\(?ARRAY\[([^\]]*)\]/g;

describe('CHECK constraints and the TypeScript enums they mirror (issue 9)', () => {
  let lists: Map<string, string[]>;
  beforeAll(async () => {
    const rows = await withClient(
      await workerDatabaseUrl(),
      async (client) =>
        (
          await client.query<{ table_name: string; definition: string }>(
            `SELECT c.conrelid::regclass::text AS table_name, pg_get_constraintdef(c.oid) AS definition
             FROM pg_constraint c WHERE c.contype = 'c' AND c.connamespace = 'public'::regnamespace ORDER BY 1, c.conname`,
          )
        ).rows,
    );
    lists = new Map();
    for (const row of rows) {
      for (const match of row.definition.matchAll(VALUE_LIST)) {
        const values = [...match[2]!.matchAll(/'((?:[^']|'')*)'::/g)].map((value) => value[1]!.replace(/''/g, "'"));
        lists.set(`${row.table_name.replace(/"/g, '')}.${match[1]}`, values);
      }
    }
  });

  it('finds the value lists of the migrated schema', () => {
    expect(lists.size).toBeGreaterThanOrEqual(Object.keys(MIRRORS).length);
  });

  it('has a TypeScript mirror (or a stated reason for none) for every value list', () => {
    expect([...lists.keys()].filter((key) => !(key in MIRRORS) && !SQL_ONLY.includes(key))).toEqual([]);
  });

  it.each(Object.entries(MIRRORS))('%s allows exactly the values of its TypeScript enum', (key, values) => {
    expect(lists.get(key)?.slice().sort()).toEqual([...values].sort());
  });
});
