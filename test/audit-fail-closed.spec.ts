import { TestApp } from './support/app';
import { isolatedDatabaseUrl } from './support/database';
import { caseBody, createCase } from './support/factories';

/** No access without a trace: when the audit event cannot be written, nothing is returned or changed. */
describe('audit fails closed', () => {
  let t: TestApp;
  let officer: string;
  let caseId: string;

  beforeAll(async () => {
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('failclosed') });
    officer = await t.login('officer@be-police.test');
    caseId = (await createCase(t, officer, caseBody({ identity: { fullName: 'Fail Closed Person' } }))).id;
    // From here on every audit insert fails, as if the audit table were unwritable.
    await t.dataSource.query(`
      CREATE FUNCTION refuse_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$`);
    await t.dataSource.query(`CREATE TRIGGER refuse_audit_insert BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION refuse_audit_insert()`);
  });

  afterAll(async () => {
    await t.dataSource.query(`DROP TRIGGER IF EXISTS refuse_audit_insert ON audit_event`);
    await t.close();
  });

  it('answers a read with 503 and no case data', async () => {
    const response = await t.get(`/api/cases/${caseId}`, officer);
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.text).not.toContain('Fail Closed Person');
    expect(response.text).not.toContain('identity');
  });

  it('answers a list with 503 and no items', async () => {
    const response = await t.get('/api/cases', officer);
    expect(response.status).toBe(503);
    expect(response.text).not.toContain(caseId);
  });

  it('refuses a change with 503 and leaves the data as it was', async () => {
    const response = await t.patch(`/api/cases/${caseId}/sections/identity`, { version: 1, data: { fullName: 'Changed Name' } }, officer);
    expect(response.status).toBe(503);
    const versions: Array<{ version: number }> = await t.dataSource.query(`SELECT version FROM case_section WHERE case_id = $1 AND section = 'identity'`, [
      caseId,
    ]);
    expect(versions[0]!.version).toBe(1);
  });

  it('refuses to open a case with 503 and creates nothing', async () => {
    const before: Array<{ count: number }> = await t.dataSource.query(`SELECT count(*)::int AS count FROM "case"`);
    const response = await t.post('/api/cases', caseBody(), officer);
    expect(response.status).toBe(503);
    const after: Array<{ count: number }> = await t.dataSource.query(`SELECT count(*)::int AS count FROM "case"`);
    expect(after[0]!.count).toBe(before[0]!.count);
  });
});
