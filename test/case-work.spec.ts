import { createHash, randomBytes } from 'node:crypto';
import { Sealer } from '../src/common/crypto';
import { parseEncryptionKeys } from '../src/config/config';
import { rotateSealedColumns, SEALED_COLUMNS } from '../src/sealed-columns';
import { TestApp, type TestResponse } from './support/app';
import { required } from './support/database';
import { addParticipation, createCase } from './support/factories';

const MB = 1024 * 1024;
const columnsOf = (table: string) => SEALED_COLUMNS.filter((column) => column.table === table);

/** A multipart/form-data body with the given fields, in order; a Buffer value is sent as a file part. */
function multipart(fields: Array<[string, string | { filename: string; content: Buffer }]>): { payload: Buffer; contentType: string } {
  const boundary = `----passage${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    if (typeof value === 'string') {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    } else {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
        value.content,
        Buffer.from('\r\n'),
      );
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** PDF-looking content of `size` bytes: the signature, then random bytes with a marker sprinkled in. */
function pdfContent(size: number, marker: string): Buffer {
  const content = randomBytes(size);
  Buffer.from('%PDF-1.7\n').copy(content, 0);
  for (const at of [16, Math.floor(size / 2), size - marker.length - 1]) Buffer.from(marker).copy(content, at);
  return content;
}

describe('case work', () => {
  let t: TestApp;
  let officer: string;
  let caseworker: string;
  let prosecutor: string;
  let inspector: string;
  beforeAll(async () => {
    t = await TestApp.start();
    [officer, caseworker, prosecutor, inspector] = await Promise.all([
      t.login('officer@be-police.test'),
      t.login('caseworker@be-shelter-antwerp.test'),
      t.login('prosecutor@be-prosecution.test'),
      t.login('inspector@be-labour.test'),
    ]);
  });
  afterAll(() => t.close());

  async function sharedCase(): Promise<string> {
    const created = await createCase(t, officer);
    await addParticipation(t.dataSource, created.id, 'be-shelter-antwerp', 'shelter', { legalBasis: 'consent' });
    await addParticipation(t.dataSource, created.id, 'be-prosecution', 'prosecution');
    return created.id;
  }

  /** A shared case has a prosecution taking part: closing waits for its approval. */
  async function closeShared(caseId: string): Promise<void> {
    expect((await t.post(`/api/cases/${caseId}/close`, { reason: 'other' }, officer)).status).toBe(202);
    expect((await t.post(`/api/cases/${caseId}/close/approve`, {}, prosecutor)).status).toBe(200);
  }

  async function auditOf(response: TestResponse): Promise<Array<{ action: string; outcome: string; sections: string[] | null }>> {
    return t.dataSource.query(`SELECT action, outcome, sections FROM audit_event WHERE request_id = $1 ORDER BY seq`, [response.headers['x-request-id']]);
  }

  describe('notes and the contact log', () => {
    type Note = { id: string; body: string; kind: string; visibility: string; contactAt: string | null; author: { id: string; name: string } };

    it('shows organisation notes to the author’s organisation only, participants notes to every participant', async () => {
      const caseId = await sharedCase();
      const secret = `Told us about the flat ${randomBytes(4).toString('hex')}`;
      const internal = await t.post<Note>(`/api/cases/${caseId}/notes`, { body: secret, visibility: 'organisation', kind: 'note' }, officer);
      expect(internal.status).toBe(201);
      expect(internal.body).toMatchObject({ body: secret, visibility: 'organisation', kind: 'note', contactAt: null, author: { name: expect.any(String) } });
      expect(await auditOf(internal)).toEqual([{ action: 'case.note.create', outcome: 'allowed', sections: null }]);
      const shared = await t.post<Note>(`/api/cases/${caseId}/notes`, { body: 'Phoned the victim', visibility: 'participants', kind: 'contact' }, caseworker);
      expect(shared.status).toBe(201);
      expect(shared.body.contactAt).not.toBeNull();

      const byOfficer = await t.get<{ items: Note[] }>(`/api/cases/${caseId}/notes`, officer);
      expect(byOfficer.body.items.map((n) => n.id)).toEqual([shared.body.id, internal.body.id]);
      const byShelter = await t.get<{ items: Note[] }>(`/api/cases/${caseId}/notes`, caseworker);
      expect(byShelter.body.items.map((n) => n.id)).toEqual([shared.body.id]);
      expect(byShelter.text).not.toContain(secret);
      expect(await auditOf(byShelter)).toEqual([{ action: 'case.note.list', outcome: 'allowed', sections: null }]);
      const contacts = await t.get<{ items: Note[] }>(`/api/cases/${caseId}/notes?kind=contact`, officer);
      expect(contacts.body.items.map((n) => n.id)).toEqual([shared.body.id]);
    });

    it('stores the body only as ciphertext, and the table refuses changes and deletions', async () => {
      const caseId = await sharedCase();
      const marker = `Marker${randomBytes(4).toString('hex')}`;
      const created = await t.post<Note>(`/api/cases/${caseId}/notes`, { body: `${marker} said more`, visibility: 'participants', kind: 'note' }, officer);
      const rows: Array<{ dump: string }> = await t.dataSource.query(`SELECT row_to_json(n)::text AS dump FROM case_note n WHERE id = $1`, [created.body.id]);
      expect(rows[0]!.dump).not.toContain(marker);
      await expect(t.dataSource.query(`UPDATE case_note SET visibility = 'organisation' WHERE id = $1`, [created.body.id])).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`DELETE FROM case_note WHERE id = $1`, [created.body.id])).rejects.toThrow(/append-only/);
    });

    it('refuses callers outside the case (404), break-glass readers (403) and writes to a closed case (409)', async () => {
      const caseId = await sharedCase();
      const outsider = await t.get(`/api/cases/${caseId}/notes`, inspector);
      expect(outsider.status).toBe(404);
      expect(await auditOf(outsider)).toEqual([{ action: 'case.note.list', outcome: 'denied', sections: null }]);
      expect((await t.post(`/api/cases/${caseId}/notes`, { body: 'x', visibility: 'participants', kind: 'note' }, inspector)).status).toBe(404);
      expect((await t.get(`/api/cases/${caseId}/notes`, await t.login('supervisor@be-police.test'))).status).toBe(404);

      const colleague = await t.login('officer2@be-police.test');
      const glass = await t.post(`/api/cases/${caseId}/break-glass`, { justification: 'Victim at the border post, identity needed now' }, inspector);
      expect(glass.status).toBe(201);
      expect((await t.get(`/api/cases/${caseId}/notes`, inspector)).status).toBe(403);
      expect((await t.get(`/api/cases/${caseId}/notes`, colleague)).status).toBe(200);

      await closeShared(caseId);
      expect((await t.post(`/api/cases/${caseId}/notes`, { body: 'late', visibility: 'participants', kind: 'note' }, officer)).status).toBe(409);
      expect((await t.get(`/api/cases/${caseId}/notes`, officer)).status).toBe(200);
    });

    it('validates the body (400) and refuses a contact in the future (422)', async () => {
      const caseId = await sharedCase();
      const post = (body: unknown) => t.post(`/api/cases/${caseId}/notes`, body, officer);
      expect((await post({ body: '', visibility: 'participants', kind: 'note' })).status).toBe(400);
      expect((await post({ body: 'x', visibility: 'everyone', kind: 'note' })).status).toBe(400);
      expect((await post({ body: 'x', visibility: 'participants', kind: 'note', contactAt: '2026-01-01T10:00:00Z' })).status).toBe(400);
      expect((await post({ body: 'x', visibility: 'participants', kind: 'contact', contactAt: '2999-01-01T10:00:00Z' })).status).toBe(422);
      expect((await post({ body: 'x', visibility: 'participants', kind: 'note', extra: true })).status).toBe(400);
      expect((await t.get(`/api/cases/${caseId}/notes?cursor=bm9wZQ`, officer)).status).toBe(400);
    });
  });

  describe('documents', () => {
    type Document = { id: string; name: string; size: number; mimeType: string; section: string; sha256: string };

    async function upload(caseId: string, token: string, fields: Parameters<typeof multipart>[0]) {
      const body = multipart(fields);
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/cases/${caseId}/documents`,
        headers: { authorization: `Bearer ${token}`, 'content-type': body.contentType },
        payload: body.payload,
      });
      return { status: response.statusCode, body: response.json<Document & { type?: string }>(), headers: response.headers };
    }

    it('round-trips a 20 MB document byte-identical, streamed as an attachment, and keeps its plaintext out of a database dump', async () => {
      const caseId = await sharedCase();
      const marker = `PASSAGE-PLAINTEXT-${randomBytes(6).toString('hex')}`;
      const content = pdfContent(20 * MB, marker);
      const uploaded = await upload(caseId, officer, [
        ['section', 'investigation'],
        ['file', { filename: `statement ${marker}.pdf`, content }],
      ]);
      expect(uploaded.status).toBe(201);
      expect(uploaded.body).toMatchObject({
        name: `statement ${marker}.pdf`,
        size: 20 * MB,
        mimeType: 'application/pdf',
        section: 'investigation',
        sha256: createHash('sha256').update(content).digest('hex'),
      });
      const download = await t.app.inject({
        method: 'GET',
        url: `/api/documents/${uploaded.body.id}/content`,
        headers: { authorization: `Bearer ${prosecutor}` },
      });
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('application/pdf');
      // Saved under the document's id, never the uploaded name (it may name the victim and would stay in the browser's downloads).
      expect(download.headers['content-disposition']).toBe(`attachment; filename="passage-document-${uploaded.body.id.slice(0, 8)}.pdf"`);
      expect(download.rawPayload.equals(content)).toBe(true);

      // Every row of every table as PostgreSQL prints it (bytea as hex), which is what a data-only
      // dump holds; read through SQL so it works whatever the server version (the embedded default
      // is newer than the machine's pg_dump).
      const tables: Array<{ name: string }> = await t.dataSource.query(
        `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`,
      );
      const rows: Buffer[] = [];
      for (const { name } of tables) {
        const printed: Array<{ row: string }> = await t.dataSource.query(`SELECT t::text AS row FROM ${name} t`);
        for (const { row } of printed) rows.push(Buffer.from(row));
      }
      const dump = Buffer.concat(rows);
      expect(dump.length).toBeGreaterThan(20 * MB); // the encrypted chunks are in it
      expect(dump.includes(Buffer.from(marker))).toBe(false);
      expect(dump.includes(Buffer.from(Buffer.from(marker).toString('hex')))).toBe(false);
      expect(dump.includes(Buffer.from(content.subarray(1000, 1064).toString('hex')))).toBe(false);
    }, 120_000);

    it('refuses a file over 20 MB (413) and content of another type (415), whatever its name', async () => {
      const caseId = await sharedCase();
      const tooBig = await upload(caseId, officer, [
        ['section', 'investigation'],
        ['file', { filename: 'big.pdf', content: pdfContent(20 * MB + 1, 'x') }],
      ]);
      expect(tooBig.status).toBe(413);
      const script = await upload(caseId, officer, [
        ['section', 'identity'],
        ['file', { filename: 'passport.pdf', content: Buffer.from('<script>alert(1)</script>') }],
      ]);
      expect(script.status).toBe(415);
      expect(script.headers['content-type']).toMatch(/application\/problem\+json/);
      const documents: Array<{ n: string }> = await t.dataSource.query(`SELECT count(*)::text AS n FROM case_document WHERE case_id = $1`, [caseId]);
      expect(documents[0]!.n).toBe('0');
    });

    it('sniffs PNG and JPEG', async () => {
      const caseId = await sharedCase();
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(100)]);
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(100)]);
      expect(
        (
          await upload(caseId, officer, [
            ['section', 'identity'],
            ['file', { filename: 'a.bin', content: png }],
          ])
        ).body.mimeType,
      ).toBe('image/png');
      expect(
        (
          await upload(caseId, officer, [
            ['file', { filename: 'b', content: jpeg }],
            ['section', 'identity'],
          ])
        ).body.mimeType,
      ).toBe('image/jpeg');
    });

    it('lets the readers of a section read its documents, and nobody else know of them', async () => {
      const caseId = await sharedCase();
      const investigation = await upload(caseId, officer, [
        ['section', 'investigation'],
        ['file', { filename: 'suspects.pdf', content: pdfContent(2000, 'm') }],
      ]);
      const care = await upload(caseId, caseworker, [
        ['section', 'care'],
        ['file', { filename: 'medical.pdf', content: pdfContent(2000, 'm') }],
      ]);
      expect(care.status).toBe(201);
      const listed = async (token: string) => (await t.get<{ items: Document[] }>(`/api/cases/${caseId}/documents`, token)).body.items.map((d) => d.id);
      expect(await listed(officer)).toEqual([investigation.body.id]);
      expect(await listed(prosecutor)).toEqual([investigation.body.id]);
      expect(await listed(caseworker)).toEqual([care.body.id]);
      const content = (id: string, token: string) => t.get(`/api/documents/${id}/content`, token);
      expect((await content(investigation.body.id, caseworker)).status).toBe(404);
      expect((await content(care.body.id, officer)).status).toBe(404);
      expect((await content(care.body.id, prosecutor)).status).toBe(404);
      const denied = await content(investigation.body.id, inspector);
      expect(denied.status).toBe(404);
      expect(await auditOf(denied)).toEqual([{ action: 'case.document.read', outcome: 'denied', sections: null }]);
      const allowed = await content(care.body.id, caseworker);
      expect(allowed.status).toBe(200);
      expect(await auditOf(allowed)).toEqual([{ action: 'case.document.read', outcome: 'allowed', sections: ['care'] }]);
      expect((await t.get(`/api/cases/${caseId}/documents`, inspector)).status).toBe(404);
      expect((await t.get(`/api/documents/00000000-0000-4000-8000-000000000000/content`, officer)).status).toBe(404);
      expect((await t.get(`/api/documents/not-an-id/content`, officer)).status).toBe(404);
    });

    it('lets only the writers of a section attach to it (403), and nobody attach to a closed case (409)', async () => {
      const caseId = await sharedCase();
      const file: [string, { filename: string; content: Buffer }] = ['file', { filename: 'x.pdf', content: pdfContent(100, 'm') }];
      const shelterToInvestigation = await upload(caseId, caseworker, [['section', 'investigation'], file]);
      expect(shelterToInvestigation.status).toBe(403);
      expect((await upload(caseId, prosecutor, [['section', 'identity'], file])).status).toBe(403);
      expect((await upload(caseId, inspector, [['section', 'identity'], file])).status).toBe(404);
      expect((await upload(caseId, officer, [['section', 'summary'], file])).status).toBe(400);
      expect((await upload(caseId, officer, [['section', 'identity']])).status).toBe(400);
      expect((await upload(caseId, officer, [file])).status).toBe(400);
      expect((await upload(caseId, officer, [['section', 'identity'], file, ['other', 'x']])).status).toBe(400);
      const json = await t.post(`/api/cases/${caseId}/documents`, { section: 'identity' }, officer);
      expect(json.status).toBe(415);
      await closeShared(caseId);
      expect((await upload(caseId, officer, [['section', 'identity'], file])).status).toBe(409);
    });

    it('audits uploads and lists with their sections', async () => {
      const caseId = await sharedCase();
      const uploaded = await upload(caseId, officer, [
        ['section', 'identity'],
        ['file', { filename: 'id.pdf', content: pdfContent(100, 'm') }],
      ]);
      const events: Array<{ action: string; outcome: string; sections: string[] }> = await t.dataSource.query(
        `SELECT action, outcome, sections FROM audit_event WHERE request_id = $1`,
        [uploaded.headers['x-request-id']],
      );
      expect(events).toEqual([{ action: 'case.document.upload', outcome: 'allowed', sections: ['identity'] }]);
      const list = await t.get(`/api/cases/${caseId}/documents`, caseworker);
      expect(await auditOf(list)).toEqual([{ action: 'case.document.list', outcome: 'allowed', sections: ['identity', 'care', 'immigration'] }]);
    });
  });
});

describe('notes and documents under a new DATA_ENCRYPTION_KEY', () => {
  it('re-seals notes and re-wraps document keys, and reads both with the new key alone', async () => {
    const t = await TestApp.start();
    let caseId: string;
    let documentId: string;
    const content = pdfContent(3 * MB, 'rotation');
    try {
      const officer = await t.login('officer@be-police.test');
      caseId = (await createCase(t, officer)).id;
      expect((await t.post(`/api/cases/${caseId}/notes`, { body: 'before rotation', visibility: 'participants', kind: 'note' }, officer)).status).toBe(201);
      const body = multipart([
        ['section', 'identity'],
        ['file', { filename: 'id.pdf', content }],
      ]);
      const uploaded = await t.app.inject({
        method: 'POST',
        url: `/api/cases/${caseId}/documents`,
        headers: { authorization: `Bearer ${officer}`, 'content-type': body.contentType },
        payload: body.payload,
      });
      documentId = uploaded.json<{ id: string }>().id;
    } finally {
      await t.close();
    }
    const oldKey = (JSON.parse(required('PASSAGE_TEST_KEYS')) as { DATA_ENCRYPTION_KEY: string }).DATA_ENCRYPTION_KEY;
    const newKey = `docrot${randomBytes(2).toString('hex')}:${randomBytes(32).toString('base64')}`;
    const rotated = await TestApp.start({ DATA_ENCRYPTION_KEY: newKey });
    try {
      const sealer = new Sealer(parseEncryptionKeys(`${newKey},${oldKey}`));
      // Notes and document keys are sealed with the case's data key: rotation re-wraps that key and leaves them as they are.
      const sealedBefore: unknown[] = await rotated.dataSource.query(
        `SELECT n.ciphertext, d.wrapped_key FROM case_note n JOIN case_document d ON d.case_id = n.case_id WHERE n.case_id = $1`,
        [caseId],
      );
      const keys = await rotateSealedColumns(rotated.dataSource, sealer, { columns: columnsOf('case_key') });
      expect(keys.unreadable).toEqual([]);
      expect(keys.resealed).toBeGreaterThanOrEqual(1);
      expect(
        await rotated.dataSource.query(
          `SELECT n.ciphertext, d.wrapped_key FROM case_note n JOIN case_document d ON d.case_id = n.case_id WHERE n.case_id = $1`,
          [caseId],
        ),
      ).toEqual(sealedBefore);
      const officer = await rotated.login('officer@be-police.test');
      const listed = await rotated.get<{ items: Array<{ body: string }> }>(`/api/cases/${caseId}/notes`, officer);
      expect(listed.body.items.map((n) => n.body)).toEqual(['before rotation']);
      const download = await rotated.app.inject({
        method: 'GET',
        url: `/api/documents/${documentId}/content`,
        headers: { authorization: `Bearer ${officer}` },
      });
      expect(download.rawPayload.equals(content)).toBe(true);
    } finally {
      // Back under the run's key: later specs of this worker share the database.
      const back = new Sealer(parseEncryptionKeys(`${oldKey},${newKey}`));
      await rotateSealedColumns(rotated.dataSource, back, { columns: columnsOf('case_key') });
      await rotated.close();
    }
  }, 60_000);
});
