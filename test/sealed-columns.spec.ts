import { randomBytes } from 'node:crypto';
import { Sealer } from '../src/common/crypto';
import { parseEncryptionKeys } from '../src/config/config';
import { webhookSecretAad } from '../src/notifications/webhooks.service';
import { DomainEventType } from '../src/outbox/domain-event';
import { CASE_KEY_ID } from '../src/cases/case-keys.service';
import { CASE_SEALED_COLUMNS, MASTER_SEALED_COLUMNS, rotateSealedColumns, SEALED_COLUMNS } from '../src/sealed-columns';
import { TestApp } from './support/app';
import { isolatedDatabaseUrl, required, withClient } from './support/database';
import { addParticipation, createCase, organisationId as organisationIdOf, userId } from './support/factories';

/** Issue 9: one registry of encrypted columns, which `npm run keys:rotate` walks whole. */
describe('the registry of sealed columns', () => {
  let url: string;
  beforeAll(async () => {
    // A database of its own: every row in it is sealed under the run's key, so a full rotation must open them all.
    url = await isolatedDatabaseUrl('sealed_columns');
  });

  it('names every key-id column of the schema (the blind index is re-indexed, not re-sealed)', async () => {
    const columns = await withClient(url, async (client) => {
      const rows = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE table_schema = 'public' AND (column_name = 'key_id' OR column_name LIKE '%\\_key\\_id') ORDER BY 1, 2`,
      );
      return rows.rows.map((row) => `${row.table_name}.${row.column_name}`);
    });
    const registered = SEALED_COLUMNS.map((column) => `${column.table}.${column.keyIdColumn}`);
    expect(columns.filter((column) => column !== 'case_identity_index.key_id').sort()).toEqual([...registered].sort());
  });

  it('re-seals every registered column, webhook secrets and task titles included, and the new key alone reads them', async () => {
    const oldKey = (JSON.parse(required('PASSAGE_TEST_KEYS')) as { DATA_ENCRYPTION_KEY: string }).DATA_ENCRYPTION_KEY;
    const newKey = `reg${randomBytes(2).toString('hex')}:${randomBytes(32).toString('base64')}`;
    let caseId: string;
    let title: string;
    let webhook: { id: string; secret: string };
    let rejectedId: string;
    let reopenedId: string;
    const before = await TestApp.start({ DATABASE_URL: url });
    try {
      const officer = await before.login('officer@be-police.test');
      const admin = await before.login('admin@be-police.test');
      caseId = (await createCase(before, officer)).id;
      title = `Call back ${randomBytes(3).toString('hex')}`;
      const officer2Id = await userId(before.dataSource, 'officer2@be-police.test');
      const dueAt = new Date(Date.now() + 86_400_000).toISOString();
      expect((await before.post(`/api/cases/${caseId}/tasks`, { title, assigneeId: officer2Id, dueAt }, officer)).status).toBe(201);
      expect((await before.post(`/api/cases/${caseId}/notes`, { body: 'sealed note', visibility: 'participants', kind: 'note' }, officer)).status).toBe(201);
      // Case work's sealed reasons and notes (issue 15): a rejected closing, a reopening, a withdrawal note.
      rejectedId = (await createCase(before, officer)).id;
      await addParticipation(before.dataSource, rejectedId, 'be-prosecution', 'prosecution');
      await addParticipation(before.dataSource, rejectedId, 'be-shelter-antwerp', 'shelter', { legalBasis: 'consent' });
      const prosecutor = await before.login('prosecutor@be-prosecution.test');
      expect((await before.post(`/api/cases/${rejectedId}/close`, { reason: 'other' }, officer)).status).toBe(202);
      expect((await before.post(`/api/cases/${rejectedId}/close/reject`, { reason: 'sealed rejection' }, prosecutor)).status).toBe(200);
      const shelter = await organisationIdOf(before.dataSource, 'be-shelter-antwerp');
      expect(
        (await before.post(`/api/cases/${rejectedId}/consent/withdraw`, { organisationId: shelter, reportedBy: 'victim', note: 'sealed note' }, officer))
          .status,
      ).toBe(200);
      reopenedId = (await createCase(before, officer)).id;
      expect((await before.post(`/api/cases/${reopenedId}/close`, { reason: 'other' }, officer)).status).toBe(200);
      expect((await before.post(`/api/cases/${reopenedId}/reopen`, { reason: 'sealed reopening' }, officer)).status).toBe(200);
      const organisationId = (await before.get<{ organisation: { id: string } }>('/api/me', admin)).body.organisation.id;
      const created = await before.post<{ id: string; secret: string }>(
        `/api/organisations/${organisationId}/webhooks`,
        { url: 'https://93.184.215.14/hook', events: [DomainEventType.CaseClosed] },
        admin,
      );
      expect(created.status).toBe(201);
      webhook = created.body;

      const both = parseEncryptionKeys(`${newKey},${oldKey}`);
      const rotated = await rotateSealedColumns(before.dataSource, new Sealer(both), { batchSize: 3 });
      expect(rotated.unreadable).toEqual([]);
      for (const column of MASTER_SEALED_COLUMNS) {
        const left: Array<{ count: number }> = await before.dataSource.query(
          `SELECT count(*)::int AS count FROM ${column.table} WHERE ${column.keyIdColumn} IS NOT NULL AND ${column.keyIdColumn} <> $1`,
          [both[0]!.id],
        );
        expect({ table: column.table, left: left[0]!.count }).toEqual({ table: column.table, left: 0 });
      }
      // Case data is under its case key, which the rotation re-wrapped (case_key is a master-sealed column): the data itself is not re-sealed.
      for (const column of CASE_SEALED_COLUMNS) {
        const other: Array<{ count: number }> = await before.dataSource.query(
          `SELECT count(*)::int AS count FROM ${column.table} WHERE ${column.keyIdColumn} IS NOT NULL AND ${column.keyIdColumn} <> $1`,
          [CASE_KEY_ID],
        );
        expect({ table: column.table, other: other[0]!.count }).toEqual({ table: column.table, other: 0 });
      }
      expect(MASTER_SEALED_COLUMNS.map((column) => column.table)).toContain('case_key');
      // A second run finds nothing left to do.
      expect(await rotateSealedColumns(before.dataSource, new Sealer(both))).toEqual({ resealed: 0, unreadable: [] });
    } finally {
      await before.close();
    }

    const after = await TestApp.start({ DATABASE_URL: url, DATA_ENCRYPTION_KEY: newKey });
    try {
      const officer2 = await after.login('officer2@be-police.test');
      const tasks = await after.get<{ items: Array<{ title: string }> }>('/api/tasks?assignee=me', officer2);
      expect(tasks.body.items.map((task) => task.title)).toContain(title);
      const officer = await after.login('officer@be-police.test');
      const notes = await after.get<{ items: Array<{ body: string }> }>(`/api/cases/${caseId}/notes`, officer);
      expect(notes.body.items.map((note) => note.body)).toEqual(['sealed note']);
      const rejected = await after.get<{ closure: { rejectionReason: string } }>(`/api/cases/${rejectedId}`, officer);
      expect(rejected.body.closure.rejectionReason).toBe('sealed rejection');
      const reopened = await after.get<{ reopening: { reason: string } }>(`/api/cases/${reopenedId}`, officer);
      expect(reopened.body.reopening.reason).toBe('sealed reopening');
      const [stored]: Array<{ secret_key_id: string; secret_ciphertext: Buffer }> = await after.dataSource.query(
        `SELECT secret_key_id, secret_ciphertext FROM webhook WHERE id = $1`,
        [webhook.id],
      );
      const onlyNew = new Sealer(parseEncryptionKeys(newKey));
      expect(onlyNew.open({ keyId: stored!.secret_key_id, ciphertext: stored!.secret_ciphertext }, webhookSecretAad(webhook.id)).toString('utf8')).toBe(
        webhook.secret,
      );
    } finally {
      await after.close();
    }
  }, 120_000);
});
