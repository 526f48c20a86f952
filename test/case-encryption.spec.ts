import { randomBytes } from 'node:crypto';
import { rotateSealedColumns, SEALED_COLUMNS } from '../src/sealed-columns';
import { Sealer } from '../src/common/crypto';
import { parseEncryptionKeys } from '../src/config/config';
import { TestApp } from './support/app';
import { required } from './support/database';
import { caseBody, createCase } from './support/factories';

/** What the milestone-1 rotation covered, so rows other specs of this worker sealed under keys of their own stay out of it. */
// Sections are sealed with their case's data key: rotating the master key re-wraps those keys (case_key), not the sections.
const CASE_FILE_COLUMNS = SEALED_COLUMNS.filter((column) => column.table === 'case_key' || column.table === 'referral');

describe('sensitive sections at rest', () => {
  let t: TestApp;
  let officer: string;
  beforeAll(async () => {
    t = await TestApp.start();
    officer = await t.login('officer@be-police.test');
  });
  afterAll(() => t.close());

  it('stores identity, care, investigation and immigration only as ciphertext', async () => {
    const marker = `Ionela Marker-${randomBytes(4).toString('hex')}`;
    const created = await createCase(
      t,
      officer,
      caseBody({ identity: { fullName: marker, aliases: [`${marker} alias`] }, investigation: { statementSummary: `${marker} said` } }),
    );
    const rows: Array<{ section: string; dump: string }> = await t.dataSource.query(
      `SELECT section, row_to_json(s)::text AS dump FROM case_section s WHERE case_id = $1`,
      [created.id],
    );
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row.dump).not.toContain('Marker');
    const everything: Array<{ dump: string }> = await t.dataSource.query(`SELECT string_agg(row_to_json(c)::text, '') AS dump FROM "case" c WHERE id = $1`, [
      created.id,
    ]);
    expect(everything[0]!.dump).not.toContain('Marker');
    const read = await t.get<{ identity: { fullName: string } }>(`/api/cases/${created.id}`, officer);
    expect(read.body.identity.fullName).toBe(marker);
  });

  it('binds each ciphertext to its case and section: one moved to another case does not open', async () => {
    const first = await createCase(t, officer);
    const second = await createCase(t, officer);
    const original: Array<{ ciphertext: Buffer }> = await t.dataSource.query(
      `SELECT ciphertext FROM case_section WHERE case_id = $1 AND section = 'identity'`,
      [second.id],
    );
    await t.dataSource.query(
      `UPDATE case_section SET ciphertext = (SELECT ciphertext FROM case_section WHERE case_id = $1 AND section = 'identity') WHERE case_id = $2 AND section = 'identity'`,
      [first.id, second.id],
    );
    expect((await t.get(`/api/cases/${second.id}`, officer)).status).toBe(500);
    expect((await t.get(`/api/cases/${first.id}`, officer)).status).toBe(200);
    await t.dataSource.query(`UPDATE case_section SET ciphertext = $2 WHERE case_id = $1 AND section = 'identity'`, [second.id, original[0]!.ciphertext]);
    expect((await t.get(`/api/cases/${second.id}`, officer)).status).toBe(200);
  });

  it('re-encrypts everything under a new key and still reads it', async () => {
    const created = await createCase(t, officer);
    const oldKeys = JSON.parse(required('PASSAGE_TEST_KEYS')) as { DATA_ENCRYPTION_KEY: string };
    const newKey = `rotated${randomBytes(2).toString('hex')}:${randomBytes(32).toString('base64')}`;
    const both = parseEncryptionKeys(`${newKey},${oldKeys.DATA_ENCRYPTION_KEY}`);
    const rotated = await rotateSealedColumns(t.dataSource, new Sealer(both), { columns: CASE_FILE_COLUMNS, batchSize: 50 });
    expect(rotated.resealed).toBeGreaterThanOrEqual(1);
    expect(rotated.unreadable).toEqual([]);
    const left: Array<{ count: number }> = await t.dataSource.query(`SELECT count(*)::int AS count FROM case_key WHERE key_id <> $1`, [both[0]!.id]);
    expect(left[0]!.count).toBe(0);

    // An application holding only the new key reads the rotated data.
    const onlyNew = await TestApp.start({ DATA_ENCRYPTION_KEY: newKey });
    try {
      const token = await onlyNew.login('officer@be-police.test');
      const read = await onlyNew.get<{ identity: { fullName: string; version: number } }>(`/api/cases/${created.id}`, token);
      expect(read.status).toBe(200);
      expect(read.body.identity.fullName).toMatch(/^Test Person/);
      expect(read.body.identity.version).toBe(1);
    } finally {
      await onlyNew.close();
      // Put the worker's database back under the run's key for the specs that follow.
      await rotateSealedColumns(t.dataSource, new Sealer(parseEncryptionKeys(`${oldKeys.DATA_ENCRYPTION_KEY},${newKey}`)), { columns: CASE_FILE_COLUMNS });
    }
  });
});
