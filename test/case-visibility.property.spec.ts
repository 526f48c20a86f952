import fc from 'fast-check';
import { TestApp } from './support/app';
import { isolatedDatabaseUrl } from './support/database';
import { caseBody } from './support/factories';
import { expectationFor, type OracleCase, type OracleUser } from './support/policy-oracle';

/**
 * For generated organisations' participations, break-glass grants and case states, the list
 * endpoint returns exactly the cases GET /api/cases/:id lets each user read (and both agree
 * with PRODUCT.md's rules).
 */
// A joining organisation's purpose follows from its type (PRODUCT.md "Sections granted by
// purpose"); the generated worlds cover every purpose by drawing organisations of every type.
const PURPOSE_BY_TYPE: Record<string, string> = {
  police: 'investigation',
  labour_inspection: 'labour_inspection',
  prosecution: 'prosecution',
  reception_centre: 'shelter',
  migration: 'residence',
};
const LEGAL_BASES = ['law_enforcement', 'treaty', 'consent'] as const;

interface PoolUser extends OracleUser {
  email: string;
  token: string;
}

interface Org {
  id: string;
  slug: string;
  type: string;
  country: string | null;
}

describe('case visibility (property)', () => {
  let t: TestApp;
  const pool: PoolUser[] = [];
  let orgs: Org[] = [];
  let leads: PoolUser[] = [];
  let pairs = 0;

  beforeAll(async () => {
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('visibility') });
    orgs = await t.dataSource.query(`SELECT id, slug, type, country FROM organisation`);
    const users: Array<{ id: string; email: string; role: string; organisation_id: string }> = await t.dataSource.query(
      // Every role, admins and second officers included: admins and supervisors must never see content.
      `SELECT id, email, role, organisation_id FROM "user" WHERE active`,
    );
    for (const user of users) {
      const org = orgs.find((o) => o.id === user.organisation_id)!;
      pool.push({
        email: user.email,
        token: await t.login(user.email),
        userId: user.id,
        role: user.role,
        organisationId: org.id,
        organisationType: org.type,
        country: org.country,
      });
    }
    leads = pool.filter((u) => u.role === 'officer' || u.role === 'inspector');
  }, 120_000);

  afterAll(() => t.close());

  const participationArb = (orgCount: number) =>
    fc.record({
      org: fc.nat({ max: orgCount - 1 }),
      legalBasis: fc.constantFrom(...LEGAL_BASES),
      revoked: fc.boolean(),
    });

  const caseArb = fc.record({
    lead: fc.nat(),
    closed: fc.boolean(),
    participations: fc.array(participationArb(100), { maxLength: 4 }),
    grants: fc.array(fc.record({ user: fc.nat(), live: fc.boolean() }), { maxLength: 2 }),
  });

  const worldArb = fc.record({
    cases: fc.array(caseArb, { minLength: 2, maxLength: 4 }),
    users: fc.uniqueArray(fc.nat(), { minLength: 3, maxLength: 5 }),
  });

  async function listedIds(token: string): Promise<Set<string>> {
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null } } = await t.get(
        `/api/cases?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        token,
      );
      expect(page.status).toBe(200);
      for (const item of page.body.items) ids.add(item.id);
      cursor = page.body.nextCursor;
    } while (cursor);
    return ids;
  }

  it('lists exactly the cases a user can read', async () => {
    const operationalOrgs = orgs.filter((o) => PURPOSE_BY_TYPE[o.type]);
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        const created: Array<OracleCase & { id: string }> = [];
        try {
          for (const spec of world.cases) {
            const lead = leads[spec.lead % leads.length]!;
            const response = await t.post<{ id: string }>('/api/cases', caseBody(), lead.token);
            expect(response.status).toBe(201);
            const c: OracleCase & { id: string } = {
              id: response.body.id,
              leadOrganisationId: lead.organisationId,
              country: lead.country!,
              status: spec.closed ? 'closed' : 'open',
              participations: [{ organisationId: lead.organisationId, purpose: 'lead', revoked: false }],
              breakGlassUserIds: [],
            };
            for (const p of spec.participations) {
              const org = operationalOrgs[p.org % operationalOrgs.length]!;
              if (org.id === lead.organisationId) continue;
              const purpose = PURPOSE_BY_TYPE[org.type]!;
              if (c.participations.some((q) => q.organisationId === org.id && q.purpose === purpose && !q.revoked && !p.revoked)) continue;
              let consentId: string | null = null;
              if (p.legalBasis === 'consent') {
                const consent: Array<{ id: string }> = await t.dataSource.query(
                  `INSERT INTO consent (case_id, organisation_id, given_by, recorded_at, recorded_by) VALUES ($1, $2, 'victim', now(), $3) RETURNING id`,
                  [c.id, org.id, lead.userId],
                );
                consentId = consent[0]!.id;
              }
              await t.dataSource.query(
                `INSERT INTO participation (case_id, organisation_id, purpose, legal_basis, consent_id, revoked_at, revoked_reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
                [c.id, org.id, purpose, p.legalBasis, consentId, p.revoked ? new Date() : null, p.revoked ? 'other' : null],
              );
              c.participations.push({ organisationId: org.id, purpose, revoked: p.revoked });
            }
            for (const g of spec.grants) {
              const user = pool[g.user % pool.length]!;
              await t.dataSource.query(
                `INSERT INTO break_glass_grant (case_id, user_id, organisation_id, justification, created_at, expires_at)
                 VALUES ($1, $2, $3, 'Generated by the visibility property test', now() - interval '5 hours', now() + ($4 || ' hours')::interval)`,
                [c.id, user.userId, user.organisationId, g.live ? '3' : '-1'],
              );
              if (g.live) c.breakGlassUserIds.push(user.userId);
            }
            if (spec.closed) await t.dataSource.query(`UPDATE "case" SET status = 'closed', close_reason = 'other', closed_at = now() WHERE id = $1`, [c.id]);
            created.push(c);
          }
          for (const index of world.users) {
            const user = pool[index % pool.length]!;
            const listed = await listedIds(user.token);
            for (const c of created) {
              const read = await t.get(`/api/cases/${c.id}`, user.token);
              const expected = expectationFor(user, c).visible;
              // Only 200 and 404 are answers here; a 5xx is a failure, never "not readable".
              expect([200, 404]).toContain(read.status);
              expect({ user: user.email, case: c.id, listed: listed.has(c.id), readable: read.status === 200 }).toEqual({
                user: user.email,
                case: c.id,
                listed: expected,
                readable: expected,
              });
              pairs += 1;
            }
          }
        } finally {
          const ids = created.map((c) => c.id);
          await t.dataSource.query(`DELETE FROM participation WHERE case_id = ANY($1)`, [ids]);
          await t.dataSource.query(`DELETE FROM consent WHERE case_id = ANY($1)`, [ids]);
          await t.dataSource.query(`DELETE FROM break_glass_grant WHERE case_id = ANY($1)`, [ids]);
          await t.dataSource.query(`DELETE FROM outbox_event WHERE case_id = ANY($1)`, [ids]);
          await t.dataSource.query(`DELETE FROM case_section WHERE case_id = ANY($1)`, [ids]);
          await t.dataSource.query(`DELETE FROM case_key WHERE case_id = ANY($1)`, [ids]);
          await t.dataSource.query(`DELETE FROM "case" WHERE id = ANY($1)`, [ids]);
        }
      }),
      { numRuns: 120 },
    );
    expect(pairs).toBeGreaterThanOrEqual(1000);
    process.stdout.write(`visibility property: ${pairs} generated user × case pairs checked\n`);
  }, 600_000);
});
