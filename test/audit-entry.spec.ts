import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { canonicalEntry, ENTRY_COLUMNS, ENTRY_LEAF_SQL, ENTRY_SQL, type EntryRow } from '../src/audit/audit-entry';
import { leafHash } from '../src/audit/merkle';
import { workerDatabaseUrl, withClient } from './support/database';

/**
 * The sequencer, verification, export and proofs hash the canonical entry PostgreSQL builds
 * (ENTRY_SQL); canonicalEntry is its definition in TypeScript. Both must give the same bytes for
 * any row PostgreSQL can store, or verification would report breaks that are not there (or an
 * upgraded log stop matching the leaves milestone 2 wrote with canonicalEntry).
 */
describe('canonical audit entry, computed by PostgreSQL', () => {
  // Anything a string can hold: quotes, backslashes, control characters, U+2028, astral planes, lone surrogates (stored as U+FFFD).
  const hostile = fc.string({ unit: 'binary', maxLength: 40 }).map((value) => value.split('\u0000').join(''));
  const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arbitrary, { nil: null });
  const event = fc.record({
    actorRole: maybe(hostile),
    actorCountry: maybe(fc.string({ unit: 'binary', minLength: 2, maxLength: 2 }).filter((value) => !value.includes('\u0000'))),
    action: hostile,
    sections: maybe(fc.array(hostile, { maxLength: 4 })),
    outcome: fc.constantFrom('allowed', 'denied'),
    legalBasis: maybe(hostile),
    justification: maybe(hostile),
    requestId: maybe(hostile),
    ip: maybe(hostile),
    withIds: fc.boolean(),
    at: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }),
    micros: fc.integer({ min: 0, max: 999 }),
  });

  it('gives the bytes canonicalEntry gives, for hostile values', async () => {
    await withClient(await workerDatabaseUrl(), async (client) => {
      await client.query('BEGIN');
      try {
        // Inside a transaction that is rolled back: nothing stays in the worker's audit trail.
        await fc.assert(
          fc.asyncProperty(event, async (value) => {
            const id = randomUUID();
            const uuid = (): string | null => (value.withIds ? randomUUID() : null);
            await client.query(
              `INSERT INTO audit_event (id, at, actor_user_id, actor_organisation_id, actor_role, actor_country, action, case_id, case_lead_organisation_id,
                                        case_country, sections, outcome, legal_basis, justification, request_id, ip)
               VALUES ($1, $2::timestamptz + make_interval(secs => $3::float8 / 1000000), $4, $5, $6, $7, $8, $9, $10, $7, $11, $12, $13, $14, $15, $16)`,
              [
                id,
                value.at,
                value.micros,
                uuid(),
                uuid(),
                value.actorRole,
                value.actorCountry,
                value.action,
                uuid(),
                uuid(),
                value.sections,
                value.outcome,
                value.legalBasis,
                value.justification,
                value.requestId,
                value.ip,
              ],
            );
            const rows = await client.query<EntryRow & { entry: string; entry_leaf: Buffer }>(
              `SELECT ${ENTRY_COLUMNS}, ${ENTRY_SQL} AS entry, ${ENTRY_LEAF_SQL} AS entry_leaf FROM audit_event e WHERE e.id = $1`,
              [id],
            );
            const row = rows.rows[0]!;
            expect(Buffer.from(row.entry, 'utf8').equals(canonicalEntry(row))).toBe(true);
            // Verification takes the leaf hash PostgreSQL computes: it must be SHA-256(0x00 ‖ canonicalEntry).
            expect(row.entry_leaf.equals(leafHash(canonicalEntry(row)))).toBe(true);
          }),
          { numRuns: 300 },
        );
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });
});
