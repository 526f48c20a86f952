import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Section } from '../src/access/policy';
import { closureRejectionAssociatedData, reopeningAssociatedData } from '../src/cases/case-closure.views';
import { CASE_KEY_ID, CaseKeysService } from '../src/cases/case-keys.service';
import { CaseRetentionService } from '../src/cases/case-retention.service';
import { CaseSectionsStore } from '../src/cases/case-sections.store';
import { Sealer } from '../src/common/crypto';
import { parseEncryptionKeys } from '../src/config/config';
import { noteAssociatedData } from '../src/notes/notes.service';
import { rotateSealedColumns, sealCaseValuesUnderCaseKeys } from '../src/sealed-columns';
import { taskTitleAssociatedData } from '../src/tasks/tasks.service';
import { TestApp } from './support/app';
import { isolatedDatabaseUrl, required } from './support/database';
import { addParticipation, caseBody, createCase, type CreatedCase, organisationId, userId } from './support/factories';
import { expectProblem } from './support/problem';

/** The PDF's text as a reader's tool extracts it (poppler's pdftotext). */
function pdfText(pdf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('pdftotext', ['-enc', 'UTF-8', '-', '-'], { encoding: 'utf8', maxBuffer: 10_000_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin!.end(pdf);
  });
}

function multipart(name: string, content: Buffer): { payload: Buffer; contentType: string } {
  const boundary = `----passage${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="section"\r\n\r\nidentity\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Issue 16: per-case data keys, retention by crypto-shredding, legal hold, the subject report's notes and documents. */
describe("victims' rights: retention, legal hold and the subject report", () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const token = async (email: string): Promise<string> => (tokens[email] ??= await t.login(email));
  const officer = (): Promise<string> => token('officer@be-police.test');
  const prosecutor = (): Promise<string> => token('prosecutor@be-prosecution.test');
  const masterKeys = () => parseEncryptionKeys((JSON.parse(required('PASSAGE_TEST_KEYS')) as { DATA_ENCRYPTION_KEY: string }).DATA_ENCRYPTION_KEY);
  const retention = (): CaseRetentionService => t.app.get(CaseRetentionService);

  beforeAll(async () => {
    // A database of its own: the rotation below re-wraps every case key in it.
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('rights') });
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A case with a note and a document, closed, its closing moved `years` back. */
  async function closedCase(options: { yearsAgo: number; note?: string; document?: string; taskAndReferral?: boolean }): Promise<CreatedCase> {
    const created = await createCase(t, await officer(), caseBody());
    if (options.taskAndReferral) {
      const dueAt = new Date(Date.now() + 86_400_000).toISOString();
      const task = await t.post(
        `/api/cases/${created.id}/tasks`,
        { title: 'Call Mirela back', assigneeId: await userId(t.dataSource, 'officer2@be-police.test'), dueAt },
        await officer(),
      );
      expect(task.status).toBe(201);
      const referral = await t.post(
        `/api/cases/${created.id}/referrals`,
        {
          toOrganisationId: await organisationId(t.dataSource, 'be-prosecution'),
          purpose: 'prosecution',
          urgency: 'routine',
          message: 'She fears her employer',
        },
        await officer(),
      );
      expect(referral.status).toBe(201);
    }
    const note = await t.post(
      `/api/cases/${created.id}/notes`,
      { body: options.note ?? 'Met at the station', visibility: 'participants', kind: 'note' },
      await officer(),
    );
    expect(note.status).toBe(201);
    const content = randomBytes(2000);
    Buffer.from('%PDF-1.7\n').copy(content, 0);
    const body = multipart(options.document ?? 'statement.pdf', content);
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${created.id}/documents`,
      headers: { authorization: `Bearer ${await officer()}`, 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(uploaded.statusCode).toBe(201);
    expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'returned_home' }, await officer())).status).toBe(200);
    await t.dataSource.query(
      `UPDATE "case" SET created_at = created_at - make_interval(years => $2), closed_at = closed_at - make_interval(years => $2) WHERE id = $1`,
      [created.id, options.yearsAgo],
    );
    return created;
  }

  const statsTotals = (): Promise<unknown> =>
    t.dataSource.query(`SELECT metric, dim, sum(value)::int AS total FROM stats_monthly GROUP BY metric, dim ORDER BY metric, dim`);

  describe('retention', () => {
    it('shreds a case past retention: 410, no data key, its ciphertexts no longer open with the master key, statistics unchanged, audit valid', async () => {
      const created = await closedCase({ yearsAgo: 11, taskAndReferral: true });
      const recent = await closedCase({ yearsAgo: 9 });
      const statsBefore = await statsTotals();
      const recordBefore: unknown[] = await t.dataSource.query(`SELECT * FROM stats_case_record WHERE case_id = $1`, [created.id]);
      expect(recordBefore).toHaveLength(1);

      const outcome = await retention().apply();
      expect(outcome.anonymised).toContain(created.id);
      expect(outcome.anonymised).not.toContain(recent.id);
      expect((await retention().apply()).anonymised).toEqual([]);

      const gone = expectProblem(await t.get(`/api/cases/${created.id}`, await officer()), 410);
      expect(gone.type).toBe('/problems/case-anonymised');
      expectProblem(await t.get(`/api/cases/${created.id}/notes`, await officer()), 410);
      expectProblem(await t.get(`/api/cases/${created.id}/documents`, await officer()), 410);
      expectProblem(await t.get(`/api/cases/${created.id}/subject-report`, await officer()), 410);
      // Someone who never saw the case still learns nothing: 404, not 410.
      expectProblem(await t.get(`/api/cases/${created.id}`, await token('officer@nl-police.test')), 404);
      expect((await t.get(`/api/cases/${recent.id}`, await officer())).status).toBe(200);

      // Direct database access with the master key: the data key row is gone and nothing opens.
      expect(await t.dataSource.query(`SELECT 1 FROM case_key WHERE case_id = $1`, [created.id])).toEqual([]);
      const master = new Sealer(masterKeys());
      const sections: Array<{ section: string; key_id: string; ciphertext: Buffer }> = await t.dataSource.query(
        `SELECT section, key_id, ciphertext FROM case_section WHERE case_id = $1 AND section <> 'summary'`,
        [created.id],
      );
      expect(sections.length).toBeGreaterThan(0);
      for (const row of sections) {
        expect(row.key_id).toBe(CASE_KEY_ID);
        const asMaster = { keyId: masterKeys()[0]!.id, ciphertext: row.ciphertext };
        expect(() => master.open(asMaster, CaseSectionsStore.associatedData(created.id, row.section as Section))).toThrow();
      }
      const notes: Array<{ id: string; key_id: string; ciphertext: Buffer }> = await t.dataSource.query(
        `SELECT id, key_id, ciphertext FROM case_note WHERE case_id = $1`,
        [created.id],
      );
      expect(notes).toHaveLength(1);
      expect(() => master.open({ keyId: masterKeys()[0]!.id, ciphertext: notes[0]!.ciphertext }, noteAssociatedData(created.id, notes[0]!.id))).toThrow();
      const store = new CaseSectionsStore(new CaseKeysService(master));
      await expect(store.read(t.dataSource.manager, created.id, [Section.Identity])).rejects.toThrow(/destroyed/);
      // Free text the case key does not cover (master-sealed, as it crosses cases) is erased by its owners.
      const tasks: Array<{ id: string; key_id: string; title_ciphertext: Buffer }> = await t.dataSource.query(
        `SELECT id, key_id, title_ciphertext FROM case_task WHERE case_id = $1`,
        [created.id],
      );
      expect(tasks).toHaveLength(1);
      expect(master.open({ keyId: tasks[0]!.key_id, ciphertext: tasks[0]!.title_ciphertext }, taskTitleAssociatedData(tasks[0]!.id)).toString('utf8')).toBe('');
      expect(await t.dataSource.query(`SELECT message_key_id, message_ciphertext FROM referral WHERE case_id = $1`, [created.id])).toEqual([
        { message_key_id: null, message_ciphertext: null },
      ]);

      // The summary keeps only statistical fields; statistics and their per-case record are untouched.
      const summary: Array<{ data: Record<string, unknown> }> = await t.dataSource.query(
        `SELECT data FROM case_section WHERE case_id = $1 AND section = 'summary'`,
        [created.id],
      );
      expect(Object.keys(summary[0]!.data).sort()).toEqual(['ageGroup', 'exploitationTypes', 'minor']);
      expect(await t.dataSource.query(`SELECT 1 FROM case_identity_index WHERE case_id = $1`, [created.id])).toEqual([]);
      expect(await statsTotals()).toEqual(statsBefore);
      expect(await t.dataSource.query(`SELECT * FROM stats_case_record WHERE case_id = $1`, [created.id])).toEqual(recordBefore);

      const events: Array<{ action: string; actor_user_id: string | null; justification: string }> = await t.dataSource.query(
        `SELECT action, actor_user_id, justification FROM audit_event WHERE case_id = $1 AND action = 'case.anonymised'`,
        [created.id],
      );
      expect(events).toEqual([{ action: 'case.anonymised', actor_user_id: null, justification: 'retention of 10 years after closing' }]);
      const verify = await t.get<{ valid: boolean }>('/api/audit/verify', await token('supervisor@be-oversight.test'));
      expect(verify.status).toBe(200);
      expect(verify.body.valid).toBe(true);
    });

    it('erases the closing, reopening and consent-withdrawal texts the case key does not cover', async () => {
      const created = await createCase(t, await officer(), caseBody());
      await addParticipation(t.dataSource, created.id, 'be-shelter-antwerp', 'shelter', { legalBasis: 'consent' });
      await addParticipation(t.dataSource, created.id, 'be-prosecution', 'prosecution');
      const shelter = await organisationId(t.dataSource, 'be-shelter-antwerp');
      const withdrawn = await t.post(
        `/api/cases/${created.id}/consent/withdraw`,
        { organisationId: shelter, reportedBy: 'victim', note: 'Mirela phoned' },
        await officer(),
      );
      expect(withdrawn.status).toBe(200);
      expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'returned_home' }, await officer())).status).toBe(202);
      expect((await t.post(`/api/cases/${created.id}/close/reject`, { reason: 'Mirela testifies in May' }, await prosecutor())).status).toBe(200);
      expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'returned_home' }, await officer())).status).toBe(202);
      expect((await t.post(`/api/cases/${created.id}/close/approve`, {}, await prosecutor())).status).toBe(200);
      expect((await t.post(`/api/cases/${created.id}/reopen`, { reason: 'Mirela came back' }, await officer())).status).toBe(200);
      expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'returned_home' }, await officer())).status).toBe(202);
      expect((await t.post(`/api/cases/${created.id}/close/approve`, {}, await prosecutor())).status).toBe(200);
      await t.dataSource.query(`UPDATE "case" SET closed_at = closed_at - make_interval(years => 11) WHERE id = $1`, [created.id]);

      expect((await retention().apply()).anonymised).toContain(created.id);

      const master = new Sealer(masterKeys());
      const rejections: Array<{ id: string; rejection_key_id: string; rejection_ciphertext: Buffer }> = await t.dataSource.query(
        `SELECT id, rejection_key_id, rejection_ciphertext FROM case_closure WHERE case_id = $1 AND rejection_ciphertext IS NOT NULL`,
        [created.id],
      );
      expect(rejections).toHaveLength(1);
      const [rejection] = rejections;
      expect(
        master
          .open({ keyId: rejection!.rejection_key_id, ciphertext: rejection!.rejection_ciphertext }, closureRejectionAssociatedData(rejection!.id))
          .toString('utf8'),
      ).toBe('');
      const reopenings: Array<{ id: string; key_id: string; ciphertext: Buffer }> = await t.dataSource.query(
        `SELECT id, key_id, ciphertext FROM case_reopening WHERE case_id = $1`,
        [created.id],
      );
      expect(reopenings).toHaveLength(1);
      expect(
        master.open({ keyId: reopenings[0]!.key_id, ciphertext: reopenings[0]!.ciphertext }, reopeningAssociatedData(reopenings[0]!.id)).toString('utf8'),
      ).toBe('');
      expect(
        await t.dataSource.query(`SELECT withdrawal_reported_by, withdrawal_note_ciphertext FROM consent WHERE case_id = $1 AND withdrawn_at IS NOT NULL`, [
          created.id,
        ]),
      ).toEqual([{ withdrawal_reported_by: 'victim', withdrawal_note_ciphertext: null }]);
    });

    it('leaves a case whose values are still under a master key until the upgrade re-seals them under its case key', async () => {
      const created = await closedCase({ yearsAgo: 12, note: 'Legacy note' });
      // As written before per-case keys: the note sealed under the master key.
      const master = new Sealer(masterKeys());
      const [note] = (await t.dataSource.query(`SELECT id FROM case_note WHERE case_id = $1`, [created.id])) as Array<{ id: string }>;
      const legacy = master.seal(Buffer.from('Legacy note'), noteAssociatedData(created.id, note!.id));
      await t.dataSource.query(`UPDATE case_note SET key_id = $2, ciphertext = $3 WHERE id = $1`, [note!.id, legacy.keyId, legacy.ciphertext]);

      const refused = await retention().apply();
      expect(refused.anonymised).not.toContain(created.id);
      expect(refused.notUnderCaseKey).toContain(created.id);
      // Still readable meanwhile, old and new values alike.
      const notes = await t.get<{ items: Array<{ body: string }> }>(`/api/cases/${created.id}/notes`, await officer());
      expect(notes.body.items.map((item) => item.body)).toEqual(['Legacy note']);

      const upgraded = await sealCaseValuesUnderCaseKeys(t.dataSource, master);
      expect(upgraded).toEqual({ resealed: 1, unreadable: [] });
      expect((await sealCaseValuesUnderCaseKeys(t.dataSource, master)).resealed).toBe(0);
      expect((await t.get<{ items: Array<{ body: string }> }>(`/api/cases/${created.id}/notes`, await officer())).body.items[0]!.body).toBe('Legacy note');
      expect((await retention().apply()).anonymised).toContain(created.id);
    });

    it('gives a case from before the CTDC citizenship its citizenship when the upgrade moves its identity under the case key', async () => {
      const created = await createCase(t, await officer(), caseBody({ identity: { nationality: 'MD' } }));
      const citizenship = async (): Promise<unknown> =>
        ((await t.dataSource.query(`SELECT citizenship FROM stats_case_record WHERE case_id = $1`, [created.id])) as Array<{ citizenship: string | null }>)[0]
          ?.citizenship;
      expect(await citizenship()).toBe('MD');
      // As the migration leaves a case written before per-case keys and the citizenship: the identity under the master key, no citizenship yet.
      const master = new Sealer(masterKeys());
      const [identity] = (await t.dataSource.query(`SELECT ciphertext, key_id FROM case_section WHERE case_id = $1 AND section = 'identity'`, [
        created.id,
      ])) as Array<{ ciphertext: Buffer; key_id: string }>;
      const associatedData = CaseSectionsStore.associatedData(created.id, Section.Identity);
      const opened = await t.dataSource.transaction(async (manager) =>
        (await new CaseKeysService(master).cipherForWrite(manager, created.id)).open(
          { keyId: identity!.key_id, ciphertext: identity!.ciphertext },
          associatedData,
        ),
      );
      const legacy = master.seal(opened, associatedData);
      await t.dataSource.query(`UPDATE case_section SET key_id = $2, ciphertext = $3 WHERE case_id = $1 AND section = 'identity'`, [
        created.id,
        legacy.keyId,
        legacy.ciphertext,
      ]);
      await t.dataSource.query(`UPDATE stats_case_record SET citizenship = NULL WHERE case_id = $1`, [created.id]);

      expect(await sealCaseValuesUnderCaseKeys(t.dataSource, master)).toEqual({ resealed: 1, unreadable: [] });
      expect(await citizenship()).toBe('MD');
      // Once moved, never again: a later run neither re-seals nor announces (a citizenship changed since stays).
      await t.dataSource.query(`UPDATE stats_case_record SET citizenship = 'UA' WHERE case_id = $1`, [created.id]);
      expect((await sealCaseValuesUnderCaseKeys(t.dataSource, master)).resealed).toBe(0);
      expect(await citizenship()).toBe('UA');
      const read = await t.get<{ identity: { nationality: string } }>(`/api/cases/${created.id}`, await officer());
      expect(read.body.identity.nationality).toBe('MD');
    });
  });

  describe('legal hold', () => {
    it('is set by the prosecution taking part, suspends retention, and once lifted retention applies', async () => {
      const created = await closedCase({ yearsAgo: 11 });
      await addParticipation(t.dataSource, created.id, 'be-prosecution', 'prosecution');

      expectProblem(await t.post(`/api/cases/${created.id}/legal-hold`, { reason: 'Proceedings pending' }, await officer()), 403);
      expectProblem(await t.post(`/api/cases/${created.id}/legal-hold`, { reason: '' }, await prosecutor()), 400);
      const readable = await t.get<{ permissions: { actions: string[] }; legalHold: unknown }>(`/api/cases/${created.id}`, await prosecutor());
      expect(readable.body.permissions.actions).toContain('legalHold');
      expect(readable.body.legalHold).toBeNull();

      const set = await t.post<{ legalHold: { since: string; reason: string } }>(
        `/api/cases/${created.id}/legal-hold`,
        { reason: 'Proceedings pending' },
        await prosecutor(),
      );
      expect(set.status).toBe(200);
      expect(set.body.legalHold).toEqual({ since: expect.any(String), reason: 'Proceedings pending' });
      expectProblem(await t.post(`/api/cases/${created.id}/legal-hold`, { reason: 'Again' }, await prosecutor()), 409);
      expect((await t.get<{ legalHold: unknown }>(`/api/cases/${created.id}`, await officer())).body.legalHold).toEqual(set.body.legalHold);

      expect((await retention().apply()).anonymised).not.toContain(created.id);
      expect((await t.get(`/api/cases/${created.id}`, await officer())).status).toBe(200);

      expectProblem(await t.request('DELETE', `/api/cases/${created.id}/legal-hold`, { token: await officer() }), 403);
      const released = await t.request<{ legalHold: null }>('DELETE', `/api/cases/${created.id}/legal-hold`, { token: await prosecutor() });
      expect(released.status).toBe(200);
      expect(released.body).toEqual({ legalHold: null });
      expectProblem(await t.request('DELETE', `/api/cases/${created.id}/legal-hold`, { token: await prosecutor() }), 409);

      const actions: Array<{ action: string; outcome: string }> = await t.dataSource.query(
        `SELECT action, outcome FROM audit_event WHERE case_id = $1 AND action LIKE 'case.legal_hold%' ORDER BY seq`,
        [created.id],
      );
      expect(actions).toEqual([
        { action: 'case.legal_hold_set', outcome: 'denied' },
        { action: 'case.legal_hold_set', outcome: 'allowed' },
        { action: 'case.legal_hold_released', outcome: 'denied' },
        { action: 'case.legal_hold_released', outcome: 'allowed' },
      ]);

      expect((await retention().apply()).anonymised).toContain(created.id);
      expectProblem(await t.get(`/api/cases/${created.id}`, await prosecutor()), 410);
      expectProblem(await t.post(`/api/cases/${created.id}/legal-hold`, { reason: 'Too late' }, await prosecutor()), 410);
    });
  });

  it('lists a note and a document name in the subject report PDF', async () => {
    const created = await createCase(t, await officer(), caseBody());
    const noteBody = `Victim called about the hearing ${Date.now()}`;
    expect((await t.post(`/api/cases/${created.id}/notes`, { body: noteBody, visibility: 'participants', kind: 'contact' }, await officer())).status).toBe(201);
    const content = randomBytes(1000);
    Buffer.from('%PDF-1.7\n').copy(content, 0);
    const body = multipart('residence-permit.pdf', content);
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${created.id}/documents`,
      headers: { authorization: `Bearer ${await officer()}`, 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(uploaded.statusCode).toBe(201);
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${created.id}/subject-report?language=de`,
      headers: { accept: 'application/pdf', authorization: `Bearer ${await officer()}` },
    });
    expect(response.statusCode).toBe(200);
    const text = (await pdfText(response.rawPayload)).replace(/\s+/g, ' ');
    expect(text).toContain('Notizen und Kontakte');
    expect(text).toContain(noteBody);
    expect(text).toContain('Dokumente (nur die Namen)');
    expect(text).toContain('residence-permit.pdf');
  });

  it('rotation re-wraps the case data keys and leaves the data as it is, readable under the new key alone', async () => {
    const created = await createCase(t, await officer(), caseBody());
    const before: Array<{ section: string; ciphertext: Buffer }> = await t.dataSource.query(
      `SELECT section, ciphertext FROM case_section WHERE case_id = $1 AND key_id IS NOT NULL ORDER BY section`,
      [created.id],
    );
    const wrappedBefore: Array<{ key_id: string; wrapped_key: Buffer }> = await t.dataSource.query(
      `SELECT key_id, wrapped_key FROM case_key WHERE case_id = $1`,
      [created.id],
    );
    const newKey = parseEncryptionKeys(`rot${randomBytes(2).toString('hex')}:${randomBytes(32).toString('base64')}`);
    const both = new Sealer([...newKey, ...masterKeys()]);
    const rotated = await rotateSealedColumns(t.dataSource, both);
    expect(rotated.unreadable).toEqual([]);
    const wrappedAfter: Array<{ key_id: string; wrapped_key: Buffer }> = await t.dataSource.query(
      `SELECT key_id, wrapped_key FROM case_key WHERE case_id = $1`,
      [created.id],
    );
    expect(wrappedAfter[0]!.key_id).toBe(newKey[0]!.id);
    expect(wrappedAfter[0]!.wrapped_key.equals(wrappedBefore[0]!.wrapped_key)).toBe(false);
    const after: Array<{ section: string; ciphertext: Buffer }> = await t.dataSource.query(
      `SELECT section, ciphertext FROM case_section WHERE case_id = $1 AND key_id IS NOT NULL ORDER BY section`,
      [created.id],
    );
    expect(after).toEqual(before);
    const store = new CaseSectionsStore(new CaseKeysService(new Sealer(newKey)));
    const identity = (await store.read(t.dataSource.manager, created.id, [Section.Identity])).get(Section.Identity);
    expect(identity!.data.fullName).toBe(created.identity.fullName);
  });
});
