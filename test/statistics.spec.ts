import { CTDC_COLUMNS, K } from '../src/statistics/ctdc';
import type { StatisticsResponse } from '../src/statistics/statistics.service';
import { TestApp } from './support/app';
import { isolatedDatabaseUrl } from './support/database';
import { caseBody, createCase, type CreatedCase, organisationId } from './support/factories';
import { expectProblem } from './support/problem';

/** RFC 4180 lines of a CSV whose quoted cells hold no commas, quotes or line breaks (the CTDC export's). */
function csvRows(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((line) =>
      line.split(',').map((cell) => {
        expect(cell).toMatch(/^"[^",]*"$/);
        return cell.slice(1, -1);
      }),
    );
}

describe('statistics and the CTDC export', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const token = async (email: string): Promise<string> => (tokens[email] ??= await t.login(email));
  const month = new Date().toISOString().slice(0, 7);
  const statistics = async (email: string, query = ''): Promise<StatisticsResponse> => {
    const response = await t.get<StatisticsResponse>(`/api/statistics?from=${month}&to=${month}${query}`, await token(email));
    expect(response.status).toBe(200);
    return response.body;
  };
  const typical = caseBody({ summary: { exploitationTypes: ['labour'], minor: false, gender: 'female', ageGroup: '18-25', indicators: ['debt_bondage'] } });
  const beCases: CreatedCase[] = [];

  beforeAll(async () => {
    // Counts must be exact: a database of its own, with only the cases made here.
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('statistics') });
    const officer = await token('officer@be-police.test');
    for (let i = 0; i < 12; i++) beCases.push(await createCase(t, officer, typical));
    // One case unlike any other: the CTDC export must not publish it on its own.
    beCases.push(await createCase(t, officer, caseBody({ summary: { exploitationTypes: ['organ_removal'], minor: false, gender: 'male', ageGroup: '65+' } })));
    for (let i = 0; i < 2; i++) await createCase(t, await token('officer@nl-police.test'));
    const closed = await t.post(`/api/cases/${beCases[12]!.id}/close`, { reason: 'other' }, officer);
    expect(closed.status).toBe(200);
    // One shelter referral, answered in the same minute, takes one bed.
    const referral = await t.post<{ id: string }>(
      `/api/cases/${beCases[0]!.id}/referrals`,
      {
        toOrganisationId: await organisationId(t.dataSource, 'be-shelter-antwerp'),
        purpose: 'shelter',
        urgency: 'urgent',
        consent: { given: true, by: 'victim', recordedAt: new Date(Date.now() - 60_000).toISOString() },
      },
      officer,
    );
    expect(referral.status).toBe(201);
    expect((await t.post(`/api/referrals/${referral.body.id}/accept`, {}, await token('caseworker@be-shelter-antwerp.test'))).status).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('keeps the rollups equal to a recount of the cases and referrals they summarise', async () => {
    const drift: unknown[] = await t.dataSource.query(`
      WITH recount AS (
        SELECT 'case_opened' AS metric, lead_organisation_id AS organisation_id, date_trunc('month', created_at AT TIME ZONE 'UTC')::date AS month, '' AS dim, count(*) AS value
          FROM "case" GROUP BY 2, 3
        UNION ALL
        SELECT 'case_closed', lead_organisation_id, date_trunc('month', closed_at AT TIME ZONE 'UTC')::date, '', count(*) FROM "case" WHERE closed_at IS NOT NULL GROUP BY 2, 3
        UNION ALL
        SELECT 'referral', to_organisation_id, date_trunc('month', created_at AT TIME ZONE 'UTC')::date, status, count(*) FROM referral GROUP BY 2, 3, 4
      )
      SELECT * FROM recount r FULL JOIN (SELECT * FROM stats_monthly WHERE metric IN ('case_opened', 'case_closed', 'referral') AND value <> 0) s
        USING (metric, organisation_id, month, dim)
       WHERE r.value IS DISTINCT FROM s.value`);
    expect(drift).toEqual([]);
  });

  it('rebuilds the same rollups from the rows they summarise (stats_rebuild, after a load with triggers off)', async () => {
    const before = await statistics('supervisor@be-oversight.test', '&groupBy=organisation');
    const snapshot = async () =>
      t.dataSource.query(`SELECT metric, organisation_id, month, dim, value FROM stats_monthly WHERE value <> 0 ORDER BY 1, 2, 3, 4`);
    const rollups: unknown[] = await snapshot();
    const records: unknown[] = await t.dataSource.query(`SELECT * FROM stats_case_record ORDER BY case_id`);
    await t.dataSource.query(`SELECT stats_rebuild()`);
    expect(await snapshot()).toEqual(rollups);
    expect(await t.dataSource.query(`SELECT * FROM stats_case_record ORDER BY case_id`)).toEqual(records);
    expect(await statistics('supervisor@be-oversight.test', '&groupBy=organisation')).toEqual(before);
  });

  it("shows an organisation's supervisor its own organisation, small counts as <5", async () => {
    const body = await statistics('supervisor@be-police.test', '&groupBy=organisation');
    expect(body.scope).toEqual({ organisationId: await organisationId(t.dataSource, 'be-police') });
    expect(body.groups.map((g) => [g.label, g.casesOpened, g.casesClosed])).toEqual([[expect.any(String), 13, '<5']]);
    expect(body.total).toMatchObject({ casesOpened: 13, casesClosed: '<5', hidden: 1 });
  });

  it('shows oversight its whole country and nothing of another', async () => {
    const body = await statistics('supervisor@be-oversight.test', '&groupBy=organisation');
    expect(body.scope).toEqual({ country: 'BE' });
    const shelterId = await organisationId(t.dataSource, 'be-shelter-antwerp');
    const shelter = body.groups.find((g) => g.key === shelterId);
    expect(shelter).toMatchObject({ casesOpened: '<5', bedsOccupied: '<5', referrals: { accepted: '<5', pending: '<5' } });
    expect(body.total.casesOpened).toBe(13);
    expect(body.groups.some((g) => g.key === 'NL')).toBe(false);
    const nl = await statistics('supervisor@nl-oversight.test', '&groupBy=country');
    expect(nl.groups.map((g) => [g.key, g.casesOpened])).toEqual([['NL', '<5']]);
  });

  it('groups by month and by exploitation type', async () => {
    const byMonth = await statistics('supervisor@be-oversight.test');
    expect(byMonth.groups.map((g) => [g.key, g.casesOpened])).toEqual([[month, 13]]);
    const byType = await statistics('supervisor@be-oversight.test', '&groupBy=exploitationType');
    expect(byType.groups.map((g) => [g.key, g.casesOpened])).toEqual([
      ['labour', 12],
      ['organ_removal', '<5'],
    ]);
  });

  it('refuses those outside the scope and malformed periods, and audits each query', async () => {
    expectProblem(await t.get(`/api/statistics?country=NL`, await token('supervisor@be-oversight.test')), 403);
    expectProblem(await t.get(`/api/statistics`, await token('officer@be-police.test')), 403);
    expectProblem(await t.get(`/api/statistics?groupBy=victim`, await token('supervisor@be-oversight.test')), 400);
    expectProblem(await t.get(`/api/statistics?from=2026-01-15`, await token('supervisor@be-oversight.test')), 400);
    expectProblem(await t.get(`/api/statistics?to=2026-99`, await token('supervisor@be-oversight.test')), 400);
    const events: Array<{ outcome: string; count: string }> = await t.dataSource.query(
      `SELECT outcome, count(*)::text AS count FROM audit_event WHERE action = 'statistics.query' GROUP BY outcome ORDER BY outcome`,
    );
    expect(events.find((e) => e.outcome === 'denied')?.count).toBe('1');
    expect(Number(events.find((e) => e.outcome === 'allowed')?.count)).toBeGreaterThanOrEqual(5);
  });

  it('exports k-anonymised CTDC rows to oversight: every row has at least 10 identical others, no identity', async () => {
    const response = await t.get(`/api/exports/ctdc.csv?from=${month}&to=${month}`, await token('supervisor@be-oversight.test'));
    expect(response.status).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^text\/csv/);
    const [header, ...rows] = csvRows(response.text);
    expect(header).toEqual([...CTDC_COLUMNS]);
    // k recomputed from the output alone: the smallest set of identical rows.
    const classes = new Map<string, number>();
    for (const row of rows) classes.set(row.join(','), (classes.get(row.join(',')) ?? 0) + 1);
    expect(Math.min(...classes.values())).toBeGreaterThanOrEqual(K);
    // The twelve alike are published, the one unlike them is not.
    expect(rows).toHaveLength(12);
    const column = (name: string) => header!.indexOf(name);
    expect(rows.every((row) => row[column('gender')] === 'Female' && row[column('CountryOfExploitation')] === 'BE')).toBe(true);
    // Their nationality (sealed in the identity section, announced to statistics when written) is the CTDC citizenship.
    expect(rows.every((row) => row[column('citizenship')] === 'RO')).toBe(true);
    for (const created of beCases) {
      expect(response.text).not.toContain(created.identity.fullName);
      expect(response.text).not.toContain(created.reference);
      expect(response.text).not.toContain(created.id);
    }
    const audited: unknown[] = await t.dataSource.query(`SELECT 1 FROM audit_event WHERE action = 'statistics.export' AND outcome = 'allowed'`);
    expect(audited).toHaveLength(1);
  });

  it('exports only the oversight country, and to nobody else', async () => {
    const nl = await t.get(`/api/exports/ctdc.csv?from=${month}&to=${month}`, await token('supervisor@nl-oversight.test'));
    expect(nl.status).toBe(200);
    expect(csvRows(nl.text)).toHaveLength(1);
    expectProblem(await t.get(`/api/exports/ctdc.csv`, await token('supervisor@be-police.test')), 403);
    expectProblem(await t.get(`/api/exports/ctdc.csv`, await token('officer@be-police.test')), 403);
  });
});
