import { PURPOSE_POLICY } from '../src/access/policy';
import { TestApp } from './support/app';
import { addParticipation, caseBody, createCase, organisationId } from './support/factories';
import { ALL_SECTIONS, expectationFor, type OracleCase, type OracleUser, productMatrix } from './support/policy-oracle';

/**
 * Every role × every case action × every relation to the case, over HTTP, with the expected
 * answer computed from PRODUCT.md's table and rules (test/support/policy-oracle.ts).
 */
const ORGANISATIONS = [
  'be-police',
  'nl-police',
  'lu-police',
  'be-prosecution',
  'nl-prosecution',
  'be-labour',
  'nl-labour',
  'be-shelter-antwerp',
  'be-shelter-brussels',
  'nl-shelter-amsterdam',
  'be-migration',
  'nl-migration',
  'be-oversight',
  'platform',
];
const OPERATIONAL_LOCAL: Record<string, string> = {
  police: 'officer',
  prosecution: 'prosecutor',
  labour_inspection: 'inspector',
  reception_centre: 'caseworker',
  migration: 'migration-officer',
};
const PATCHES: Record<string, Record<string, unknown>> = {
  summary: { riskLevel: 'high' },
  identity: { aliases: ['Alias'] },
  care: { placement: 'Room 2' },
  investigation: { handlingCode: 'H2' },
  immigration: { residenceStatus: 'none' },
};

interface MatrixUser extends OracleUser {
  email: string;
  token: string;
}

interface MatrixCase extends OracleCase {
  name: string;
  id: string;
}

describe('authorization matrix', () => {
  let t: TestApp;
  const users: MatrixUser[] = [];
  const cases: MatrixCase[] = [];
  const mismatches: string[] = [];
  let assertions = 0;

  const check = (label: string, actual: unknown, expected: unknown) => {
    assertions += 1;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };

  async function participate(c: MatrixCase, slug: string, purpose: string, legalBasis: string, revoked = false) {
    await addParticipation(t.dataSource, c.id, slug, purpose, { legalBasis, revoked });
    c.participations.push({ organisationId: await organisationId(t.dataSource, slug), purpose, revoked });
  }

  async function grantBreakGlass(c: MatrixCase, email: string) {
    const user = users.find((u) => u.email === email)!;
    await t.dataSource.query(
      `INSERT INTO break_glass_grant (case_id, user_id, organisation_id, justification, expires_at) VALUES ($1, $2, $3, 'Victim found at night, shelter asks for identity', now() + interval '4 hours')`,
      [c.id, user.userId, user.organisationId],
    );
    c.breakGlassUserIds.push(user.userId);
  }

  async function newCase(name: string, leadEmail: string, status: 'open' | 'closed' = 'open'): Promise<MatrixCase> {
    const lead = users.find((u) => u.email === leadEmail)!;
    const created = await createCase(t, lead.token, caseBody());
    const c: MatrixCase = {
      name,
      id: created.id,
      leadOrganisationId: lead.organisationId,
      country: lead.country!,
      status,
      participations: [{ organisationId: lead.organisationId, purpose: 'lead', revoked: false }],
      breakGlassUserIds: [],
    };
    cases.push(c);
    return c;
  }

  async function listContains(token: string, caseId: string): Promise<boolean> {
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null } } = await t.get(
        `/api/cases?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        token,
      );
      if (page.status !== 200) throw new Error(`list answered ${page.status}`);
      if (page.body.items.some((item) => item.id === caseId)) return true;
      cursor = page.body.nextCursor;
    } while (cursor);
    return false;
  }

  const sectionVersion = async (caseId: string, section: string): Promise<number> =>
    ((await t.dataSource.query(`SELECT version FROM case_section WHERE case_id = $1 AND section = $2`, [caseId, section])) as Array<{ version: number }>)[0]!
      .version;

  beforeAll(async () => {
    t = await TestApp.start();
    const orgs: Array<{ id: string; slug: string; type: string; country: string | null }> = await t.dataSource.query(
      `SELECT id, slug, type, country FROM organisation WHERE slug = ANY($1)`,
      [ORGANISATIONS],
    );
    for (const org of orgs) {
      const locals = org.type === 'platform' ? ['admin'] : ['admin', 'supervisor', ...(OPERATIONAL_LOCAL[org.type] ? [OPERATIONAL_LOCAL[org.type]!] : [])];
      for (const local of locals) {
        const email = `${local}@${org.slug}.test`;
        const rows: Array<{ id: string; role: string }> = await t.dataSource.query(`SELECT id, role FROM "user" WHERE email = $1`, [email]);
        users.push({
          email,
          token: await t.login(email),
          userId: rows[0]!.id,
          role: rows[0]!.role,
          organisationId: org.id,
          organisationType: org.type,
          country: org.country,
        });
      }
    }

    const a = await newCase('A: open, many participants', 'officer@be-police.test');
    await participate(a, 'be-shelter-antwerp', 'shelter', 'consent');
    await participate(a, 'be-prosecution', 'prosecution', 'law_enforcement');
    await participate(a, 'nl-police', 'investigation', 'treaty');
    await participate(a, 'be-labour', 'labour_inspection', 'consent');
    await participate(a, 'be-migration', 'residence', 'consent');
    await participate(a, 'be-shelter-brussels', 'shelter', 'consent', true);

    const b = await newCase('B: open, lead only, a break-glass holder', 'officer@be-police.test');
    await grantBreakGlass(b, 'inspector@be-labour.test');

    const c = await newCase('C: closed', 'officer@be-police.test', 'closed');
    await participate(c, 'be-shelter-antwerp', 'shelter', 'consent');
    await participate(c, 'be-prosecution', 'prosecution', 'law_enforcement');
    await participate(c, 'nl-police', 'investigation', 'treaty');
    await participate(c, 'be-migration', 'residence', 'consent');
    await grantBreakGlass(c, 'caseworker@be-shelter-brussels.test');
    await t.dataSource.query(`UPDATE "case" SET status = 'closed', close_reason = 'other', closed_at = now() WHERE id = $1`, [c.id]);

    const d = await newCase('D: led by a labour inspectorate', 'inspector@nl-labour.test');
    await participate(d, 'nl-police', 'investigation', 'law_enforcement');
    await participate(d, 'nl-migration', 'residence', 'consent');
    await participate(d, 'nl-shelter-amsterdam', 'shelter', 'consent', true);
  }, 120_000);

  afterAll(() => t.close());

  it('the policy table in the code is PRODUCT.md’s table', () => {
    const fromCode = Object.fromEntries(Object.entries(PURPOSE_POLICY).map(([purpose, policy]) => [purpose, policy.sections]));
    expect(fromCode).toEqual(productMatrix());
  });

  it('answers every role, relation and action as the product says', async () => {
    for (const c of cases) {
      for (const user of users) {
        const label = `${c.name} / ${user.email}`;
        const want = expectationFor(user, c);

        const read = await t.get<{ permissions: { sections: Record<string, string>; actions: string[] } } & Record<string, unknown>>(
          `/api/cases/${c.id}`,
          user.token,
        );
        check(`${label} read`, read.status, want.read);
        if (read.status === 200) {
          check(
            `${label} sections returned`,
            ALL_SECTIONS.filter((s) => read.body[s] !== undefined),
            ALL_SECTIONS.filter((s) => want.sections[s]),
          );
          check(
            `${label} permissions.sections`,
            read.body.permissions.sections,
            Object.fromEntries(ALL_SECTIONS.filter((s) => want.sections[s]).map((s) => [s, want.sections[s]])),
          );
          check(`${label} may refer`, read.body.permissions.actions.includes('refer'), want.refer);
        }
        check(`${label} list`, await listContains(user.token, c.id), want.visible);
        check(`${label} explain`, (await t.get(`/api/cases/${c.id}/access`, user.token)).status, want.explain);
        for (const section of ALL_SECTIONS) {
          const version = await sectionVersion(c.id, section);
          const update = await t.patch(`/api/cases/${c.id}/sections/${section}`, { version, data: PATCHES[section] }, user.token);
          check(`${label} update ${section}`, update.status, want.update[section]);
        }
      }
    }

    // Break-glass and close change the relation they test, so they come last; a close that
    // should succeed runs on a fresh case with the same relation, so every lead user is tried.
    for (const c of cases) {
      for (const user of users) {
        const label = `${c.name} / ${user.email}`;
        const want = expectationFor(user, c);
        const breakGlass = await t.post(`/api/cases/${c.id}/break-glass`, { justification: 'Victim found at night, identity needed now' }, user.token);
        check(`${label} break-glass`, breakGlass.status, want.breakGlass);
        if (breakGlass.status === 201) c.breakGlassUserIds.push(user.userId);
        const wantClose = expectationFor(user, c).close;
        let target = c.id;
        if (wantClose === 200) target = (await createCase(t, user.token)).id;
        check(`${label} close`, (await t.post(`/api/cases/${target}/close`, { reason: 'other' }, user.token)).status, wantClose);
      }
    }

    expect(mismatches).toEqual([]);
    expect(assertions).toBeGreaterThanOrEqual(500);
    process.stdout.write(`authorization matrix: ${assertions} HTTP assertions over ${users.length} users × ${cases.length} cases\n`);
  }, 300_000);
});
