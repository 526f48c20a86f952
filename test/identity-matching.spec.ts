import { randomBytes } from 'node:crypto';
import { reindexIdentities } from '../src/cases/identity-reindex';
import { Sealer } from '../src/common/crypto';
import { parseEncryptionKeys } from '../src/config/config';
import { TestApp } from './support/app';
import { required } from './support/database';
import { caseBody, createCase, organisationId, uniqueLetters } from './support/factories';

const letters = uniqueLetters;

function passportNumber(): string {
  return `P${randomBytes(5).toString('hex').toUpperCase()}`;
}

interface Match {
  caseId?: string;
  reference?: string;
  organisation: { id: string; slug: string; name: string; type: string; country: string | null };
  visible: boolean;
  strength: 'strong' | 'possible';
}

describe('identity matching across agencies', () => {
  let t: TestApp;
  let officer: string;
  let officer2: string;
  let inspector: string;
  let caseworker: string;
  let beLabour: string;
  let bePolice: string;
  beforeAll(async () => {
    t = await TestApp.start();
    [officer, officer2, inspector, caseworker] = await Promise.all([
      t.login('officer@be-police.test'),
      t.login('officer2@be-police.test'),
      t.login('inspector@be-labour.test'),
      t.login('caseworker@be-shelter-antwerp.test'),
    ]);
    bePolice = await organisationId(t.dataSource, 'be-police');
    beLabour = await organisationId(t.dataSource, 'be-labour');
  });
  afterAll(() => t.close());

  const match = (token: string, body: Record<string, unknown>) => t.post<{ matches: Match[] }>('/api/cases/identity-matches', body, token);

  it('two agencies open a case for the same passport: the second learns only the first’s lead organisation', async () => {
    const passport = passportNumber();
    const first = await createCase(
      t,
      inspector,
      caseBody({ identity: { fullName: `Ana ${letters()}`, documents: [{ type: 'passport', number: passport, issuingCountry: 'RO' }] } }),
    );
    const second = await t.post<Record<string, unknown> & { possibleDuplicates?: Match[] }>(
      '/api/cases',
      caseBody({
        identity: {
          fullName: `Someone ${letters()}`,
          documents: [{ type: 'passport', number: passport.toLowerCase().replace(/(.{3})/, '$1 -'), issuingCountry: 'RO' }],
        },
      }),
      officer,
    );
    expect(second.status).toBe(201);
    expect(second.body.possibleDuplicates).toEqual([
      {
        organisation: { id: beLabour, slug: 'be-labour', name: expect.any(String), type: 'labour_inspection', country: 'BE' },
        visible: false,
        strength: 'strong',
      },
    ]);
    expect(Object.keys(second.body.possibleDuplicates![0]!).sort()).toEqual(['organisation', 'strength', 'visible']);
    expect(second.text).not.toContain(first.id);
    expect(second.text).not.toContain(first.reference);
    // No duplicate warning when nothing matches.
    const third = await t.post<Record<string, unknown>>('/api/cases', caseBody(), officer);
    expect(third.status).toBe(201);
    expect(third.body).not.toHaveProperty('possibleDuplicates');
  });

  it('a caller without access cannot tell a name from a non-name beyond “someone at X holds a case”', async () => {
    const name = `Mirela ${letters()}`;
    const created = await createCase(t, inspector, caseBody({ identity: { fullName: name, dateOfBirth: '1994-02-03' } }));
    const hit = await match(officer, { fullName: name, dateOfBirth: '1994-02-03' });
    const miss = await match(officer, { fullName: `Mirela ${letters()}`, dateOfBirth: '1994-02-03' });
    expect(hit.status).toBe(200);
    expect(miss.status).toBe(200);
    expect(miss.body).toEqual({ matches: [] });
    expect(hit.body.matches).toEqual([{ organisation: expect.objectContaining({ id: beLabour }), visible: false, strength: 'strong' }]);
    expect(hit.text).not.toContain(created.id);
    expect(hit.text).not.toContain(created.reference);
    expect(hit.text).not.toContain('1994');
    // The lead organisation's own users see which case it is.
    const own = await match(inspector, { fullName: name });
    expect(own.body.matches).toEqual([
      { caseId: created.id, reference: created.reference, organisation: expect.objectContaining({ id: beLabour }), visible: true, strength: 'possible' },
    ]);
  });

  it('matches spellings across scripts, diacritics and word order; name alone is a possible match', async () => {
    const surname = letters(8);
    const created = await createCase(t, officer, caseBody({ identity: { fullName: `Сергей Иванов ${surname}`, dateOfBirth: '1988-11-30' } }));
    const strong = await match(officer2, { fullName: `${surname.toUpperCase()} IWANOW, Sergej`, dateOfBirth: '1988-11-30' });
    expect(strong.body.matches).toEqual([expect.objectContaining({ caseId: created.id, visible: true, strength: 'strong' })]);
    const nameOnly = await match(caseworker, { fullName: `Sergéi Ivanov ${surname}` });
    expect(nameOnly.body.matches).toEqual([{ organisation: expect.objectContaining({ id: bePolice }), visible: false, strength: 'possible' }]);
    const otherBirthday = await match(officer2, { fullName: `Sergey Ivanov ${surname}`, dateOfBirth: '1988-12-01' });
    expect(otherBirthday.body.matches).toEqual([expect.objectContaining({ caseId: created.id, strength: 'possible' })]);
  });

  it('follows every write of the identity section, aliases included', async () => {
    const oldName = `Elena ${letters()}`;
    const newName = `Ilinca ${letters()}`;
    const alias = `Lena ${letters()}`;
    const created = await createCase(t, officer, caseBody({ identity: { fullName: oldName } }));
    const read = await t.get<{ identity: { version: number } }>(`/api/cases/${created.id}`, officer);
    const patched = await t.patch(
      `/api/cases/${created.id}/sections/identity`,
      { version: read.body.identity.version, data: { fullName: newName, aliases: [alias] } },
      officer,
    );
    expect(patched.status).toBe(200);
    expect((await match(officer, { fullName: oldName })).body.matches).toEqual([]);
    expect((await match(officer, { fullName: newName })).body.matches).toEqual([expect.objectContaining({ caseId: created.id })]);
    expect((await match(officer, { fullName: alias })).body.matches).toEqual([expect.objectContaining({ caseId: created.id })]);
  });

  it('stores digests only and audits every query without the name', async () => {
    const name = `Ionela ${letters()}`;
    const passport = passportNumber();
    const created = await createCase(
      t,
      officer,
      caseBody({ identity: { fullName: name, documents: [{ type: 'passport', number: passport, issuingCountry: 'RO' }] } }),
    );
    const dump: Array<{ dump: string }> = await t.dataSource.query(
      `SELECT string_agg(row_to_json(i)::text || encode(i.digest, 'escape'), '') AS dump FROM case_identity_index i WHERE case_id = $1`,
      [created.id],
    );
    expect(dump[0]!.dump).not.toContain(name.split(' ')[1]);
    expect(dump[0]!.dump).not.toContain(passport);
    const response = await match(officer2, { fullName: name, documentNumber: passport });
    const events: Array<{ action: string; outcome: string; sections: string[]; row: string }> = await t.dataSource.query(
      `SELECT action, outcome, sections, row_to_json(e)::text AS row FROM audit_event e WHERE request_id = $1`,
      [response.headers['x-request-id']],
    );
    expect(events).toEqual([{ action: 'case.identity_match', outcome: 'allowed', sections: ['identity'], row: expect.any(String) }]);
    expect(events[0]!.row).not.toContain(name.split(' ')[1]);
    expect(events[0]!.row).not.toContain(passport);
  });

  it('is refused to supervisors, admins and prosecutors (403, audited)', async () => {
    for (const email of ['supervisor@be-police.test', 'admin@be-police.test', 'prosecutor@be-prosecution.test']) {
      const response = await match(await t.login(email), { fullName: 'Anyone At All' });
      expect(response.status).toBe(403);
      const denied: Array<{ outcome: string }> = await t.dataSource.query(
        `SELECT outcome FROM audit_event WHERE request_id = $1 AND action = 'case.identity_match'`,
        [response.headers['x-request-id']],
      );
      expect(denied).toEqual([{ outcome: 'denied' }]);
    }
  });

  it('refuses malformed queries with 400', async () => {
    expect((await match(officer, {})).status).toBe(400);
    expect((await match(officer, { fullName: 'A Name', dateOfBirth: '1990-02-30' })).status).toBe(400);
    expect((await match(officer, { fullName: 'A Name', unknown: 1 })).status).toBe(400);
    expect((await match(officer, { fullName: 'x'.repeat(201) })).status).toBe(400);
  });

  it('limits each user’s queries per hour (429 with Retry-After, audited), other users unaffected', async () => {
    // A Redis prefix of its own: a fresh window, whatever the other specs of this worker asked.
    const limited = await TestApp.start({ IDENTITY_MATCHES_PER_HOUR: '2', REDIS_PREFIX: `test-limit-${letters(8)}` });
    try {
      const token = await limited.login('officer@be-police.test');
      const other = await limited.login('officer2@be-police.test');
      const ask = (who: string) => limited.post('/api/cases/identity-matches', { fullName: `Probe ${letters()}` }, who);
      expect((await ask(token)).status).toBe(200);
      expect((await ask(token)).status).toBe(200);
      const response = await ask(token);
      expect(response.status).toBe(429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      const denied: Array<{ outcome: string }> = await limited.dataSource.query(`SELECT outcome FROM audit_event WHERE request_id = $1`, [
        response.headers['x-request-id'],
      ]);
      expect(denied).toEqual([{ outcome: 'denied' }]);
      expect((await ask(other)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('keeps finding cases while MATCH_INDEX_KEY rotates, and re-indexes under the new key', async () => {
    const name = `Rotated ${letters()}`;
    const created = await createCase(t, officer, caseBody({ identity: { fullName: name } }));
    const keys = JSON.parse(required('PASSAGE_TEST_KEYS')) as { MATCH_INDEX_KEY: string; DATA_ENCRYPTION_KEY: string };
    const newKey = `rot${randomBytes(2).toString('hex')}:${randomBytes(32).toString('base64')}`;
    const both = await TestApp.start({ MATCH_INDEX_KEY: `${newKey},${keys.MATCH_INDEX_KEY}` });
    try {
      const token = await both.login('officer@be-police.test');
      const found = await both.post<{ matches: Match[] }>('/api/cases/identity-matches', { fullName: name }, token);
      expect(found.body.matches).toEqual([expect.objectContaining({ caseId: created.id })]);
      const result = await reindexIdentities(
        both.dataSource,
        new Sealer(parseEncryptionKeys(keys.DATA_ENCRYPTION_KEY)),
        parseEncryptionKeys(`${newKey},${keys.MATCH_INDEX_KEY}`, 'MATCH_INDEX_KEY'),
      );
      // Other specs of this worker leave cases sealed under keys of their own; this case must not be among the unreadable.
      expect(result.unreadable.filter((entry) => entry.includes(created.id))).toEqual([]);
      const keyIds: Array<{ key_id: string }> = await both.dataSource.query(`SELECT DISTINCT key_id FROM case_identity_index WHERE case_id = $1`, [created.id]);
      expect(keyIds).toEqual([{ key_id: newKey.split(':')[0] }]);
    } finally {
      await both.close();
    }
    const onlyNew = await TestApp.start({ MATCH_INDEX_KEY: newKey });
    try {
      const token = await onlyNew.login('officer@be-police.test');
      const found = await onlyNew.post<{ matches: Match[] }>('/api/cases/identity-matches', { fullName: name }, token);
      expect(found.body.matches).toEqual([expect.objectContaining({ caseId: created.id })]);
    } finally {
      await onlyNew.close();
    }
  });
});

describe('finding cases by reference', () => {
  let t: TestApp;
  let officer: string;
  let inspector: string;
  beforeAll(async () => {
    t = await TestApp.start();
    officer = await t.login('officer@be-police.test');
    inspector = await t.login('inspector@be-labour.test');
  });
  afterAll(() => t.close());

  type List = { items: Array<{ id: string; reference: string }>; nextCursor: string | null };

  it('?reference= finds exactly one readable case, case-insensitively', async () => {
    const created = await createCase(t, officer);
    const found = await t.get<List>(`/api/cases?reference=${created.reference.toLowerCase()}`, officer);
    expect(found.status).toBe(200);
    expect(found.body.items.map((c) => c.id)).toEqual([created.id]);
  });

  it('?reference= and ?q= never reveal a case the caller cannot read', async () => {
    const created = await createCase(t, officer);
    expect((await t.get<List>(`/api/cases?reference=${created.reference}`, inspector)).body.items).toEqual([]);
    expect((await t.get<List>(`/api/cases?q=${created.reference}`, inspector)).body.items).toEqual([]);
  });

  it('?q= is a reference prefix, newest first, paged', async () => {
    const a = await createCase(t, officer);
    const b = await createCase(t, officer);
    const prefix = b.reference.slice(0, 8);
    const page = await t.get<List>(`/api/cases?q=${prefix}&limit=1`, officer);
    expect(page.status).toBe(200);
    expect(page.body.items.map((c) => c.id)).toEqual([b.id]);
    const next = await t.get<List>(`/api/cases?q=${prefix}&limit=1&cursor=${page.body.nextCursor}`, officer);
    expect(next.body.items.map((c) => c.id)).toEqual([a.id]);
    expect(page.body.items.every((c) => c.reference.startsWith(prefix))).toBe(true);
  });

  it('uses the reference indexes', async () => {
    // The test database is small enough for a sequential scan to win; the point is that the index can serve the prefix.
    const plan = await t.dataSource.transaction(async (manager): Promise<Array<{ 'QUERY PLAN': string }>> => {
      await manager.query(`SET LOCAL enable_seqscan = off`);
      return manager.query(`EXPLAIN SELECT id FROM "case" c WHERE c.reference LIKE 'BE-2026-0001%'`);
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/case_reference_prefix_idx/);
  });

  it.each(['BE-2026', 'BE_2026%', "x' OR 1=1", 'B'.repeat(15)])('refuses a malformed reference %p with 400', async (reference) => {
    expect((await t.get(`/api/cases?reference=${encodeURIComponent(reference)}`, officer)).status).toBe(400);
  });

  it('refuses a malformed prefix with 400', async () => {
    expect((await t.get(`/api/cases?q=${encodeURIComponent('BE%')}`, officer)).status).toBe(400);
  });
});
