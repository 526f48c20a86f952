import { randomUUID } from 'node:crypto';
import type { AuditCaseDto, AuditEventPageDto, AuditLogStateDto, AuditVerificationDto } from '../src/audit/dto/audit.dto';
import type { BreakGlassGrantDto, BreakGlassPageDto } from '../src/break-glass/dto/break-glass.dto';
import { DomainEventType } from '../src/outbox/domain-event';
import type { DirectoryDto } from '../src/users/dto/directory.dto';
import { AuditSequencer } from '../src/audit/audit-sequencer';
import { AuditVerifier } from '../src/audit/audit-verifier';
import { AuditWitness } from '../src/audit/audit-witness';
import { TestApp } from './support/app';
import { isolatedDatabaseUrl } from './support/database';
import { createCase, organisationId, userId } from './support/factories';
import { errorPaths, expectProblem } from './support/problem';

/** The API the supervisors' console reads (issue 11): readable names, the directory, verdicts, the log's state and a streamed verification. */
describe('supervision console API', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const token = async (email: string): Promise<string> => (tokens[email] ??= await t.login(email));
  const run = randomUUID().slice(0, 8);
  let beCase: { id: string; reference: string; identity: { fullName: string } };
  let since: string;

  beforeAll(async () => {
    // A database of its own: the directory names whoever acted on the scope's cases, and other suites act on BE cases too.
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('supervision') });
    since = new Date(Date.now() - 1000).toISOString();
    beCase = await createCase(t, await token('officer@be-police.test'));
    const read = await t.request('GET', `/api/cases/${beCase.id}`, {
      token: await token('officer@be-police.test'),
      headers: { 'x-request-id': `sv-${run}-read` },
    });
    expect(read.status).toBe(200);
    // A foreign officer's refused attempt: the BE supervisor must be able to name this NL actor.
    expect(
      (await t.request('GET', `/api/cases/${beCase.id}`, { token: await token('officer@nl-police.test'), headers: { 'x-request-id': `sv-${run}-nl` } })).status,
    ).toBe(404);
  });
  afterAll(() => t.close());

  describe('readable audit events', () => {
    it("carry the actor's name, organisation name and the case reference, and never case content", async () => {
      const response = await t.get<AuditEventPageDto>(
        `/api/audit/events?caseId=${beCase.id}&from=${encodeURIComponent(since)}&limit=100`,
        await token('supervisor@be-police.test'),
      );
      expect(response.status).toBe(200);
      const read = response.body.items.find((event) => event.requestId === `sv-${run}-read`);
      const officer: Array<{ name: string }> = await t.dataSource.query(`SELECT name FROM "user" WHERE email = 'officer@be-police.test'`);
      expect(read).toMatchObject({
        action: 'case.read',
        caseReference: beCase.reference,
        actor: { userId: await userId(t.dataSource, 'officer@be-police.test'), name: officer[0]!.name, organisationName: expect.any(String), role: 'officer' },
      });
      const denied = response.body.items.find((event) => event.requestId === `sv-${run}-nl`);
      expect(denied?.actor.organisationName).toEqual(expect.stringMatching(/\S/));
      expect(response.text).not.toContain(beCase.identity.fullName);
    });

    it('filter by case reference, and an unknown or malformed reference finds nothing or is refused', async () => {
      const supervisor = await token('supervisor@be-police.test');
      const byReference = await t.get<AuditEventPageDto>(`/api/audit/events?caseReference=${beCase.reference}&limit=100`, supervisor);
      expect(byReference.status).toBe(200);
      expect(byReference.body.items.length).toBeGreaterThan(0);
      expect(byReference.body.items.every((event) => event.caseId === beCase.id)).toBe(true);
      const unknown = await t.get<AuditEventPageDto>(`/api/audit/events?caseReference=BE-1999-999999`, supervisor);
      expect(unknown.body.items).toEqual([]);
      expect(errorPaths(expectProblem(await t.get(`/api/audit/events?caseReference=nope`, supervisor), 400))).toEqual(['caseReference']);
    });

    it('appear in the CSV export as named columns', async () => {
      const csv = await t.get(`/api/audit/events.csv?caseReference=${beCase.reference}`, await token('supervisor@be-police.test'));
      expect(csv.status).toBe(200);
      const [header, ...rows] = csv.text.split('\r\n');
      // Every field is quoted (RFC 4180), so a name can hold commas.
      expect(header!.split(',').slice(-3)).toEqual(['"actorName"', '"actorOrganisationName"', '"caseReference"']);
      expect(rows.some((row) => row.endsWith(`,"${beCase.reference}"`))).toBe(true);
      expect(csv.text).not.toContain(beCase.identity.fullName);
    });
  });

  describe('GET /api/audit/cases?reference=', () => {
    it('finds a case of the scope by reference; outside the scope it is as unknown as a missing one', async () => {
      const found = await t.get<AuditCaseDto>(`/api/audit/cases?reference=${beCase.reference}`, await token('supervisor@be-oversight.test'));
      expect(found.status).toBe(200);
      expect(found.body).toEqual({ id: beCase.id, reference: beCase.reference });
      expect(found.text).not.toContain(beCase.identity.fullName);
      expectProblem(await t.get(`/api/audit/cases?reference=${beCase.reference}`, await token('supervisor@nl-oversight.test')), 404);
      expectProblem(await t.get(`/api/audit/cases?reference=BE-1999-999999`, await token('supervisor@be-police.test')), 404);
      expectProblem(await t.get(`/api/audit/cases?reference=x`, await token('supervisor@be-police.test')), 400);
      expectProblem(await t.get(`/api/audit/cases?reference=${beCase.reference}`, await token('officer@be-police.test')), 403);
    });
  });

  describe('GET /api/users/directory', () => {
    it('names users of the scope and users who acted on its cases; others are simply absent', async () => {
      const beOfficer = await userId(t.dataSource, 'officer@be-police.test');
      const nlOfficer = await userId(t.dataSource, 'officer@nl-police.test');
      const luOfficer = await userId(t.dataSource, 'officer@lu-police.test').catch(() => randomUUID());
      const ids = [beOfficer, nlOfficer, luOfficer, randomUUID()].join(',');
      const be = await t.get<DirectoryDto>(`/api/users/directory?ids=${ids}`, await token('supervisor@be-police.test'));
      expect(be.status).toBe(200);
      // The NL officer is named because its refused attempt on a BE-police case is in this scope.
      expect(be.body.items.map((item) => item.id).sort()).toEqual([beOfficer, nlOfficer].sort());
      expect(be.body.items.find((item) => item.id === beOfficer)).toMatchObject({
        name: expect.any(String),
        organisation: { id: await organisationId(t.dataSource, 'be-police'), slug: 'be-police', country: 'BE' },
      });
      expect(Object.keys(be.body.items[0]!).sort()).toEqual(['id', 'name', 'organisation']);

      const shelter = await t.get<DirectoryDto>(`/api/users/directory?ids=${ids}`, await token('supervisor@be-shelter-antwerp.test'));
      expect(shelter.body.items).toEqual([]);
      const admin = await t.get<DirectoryDto>(`/api/users/directory?ids=${beOfficer}&ids=${nlOfficer}`, await token('admin@be-police.test'));
      expect(admin.body.items.map((item) => item.id)).toEqual([beOfficer]);
    });

    it('validates the ids and refuses other roles', async () => {
      const supervisor = await token('supervisor@be-police.test');
      expect(errorPaths(expectProblem(await t.get(`/api/users/directory?ids=nope`, supervisor), 400))).toEqual(['ids']);
      expectProblem(await t.get(`/api/users/directory`, supervisor), 400);
      const tooMany = Array.from({ length: 101 }, () => randomUUID()).join(',');
      expectProblem(await t.get(`/api/users/directory?ids=${tooMany}`, supervisor), 400);
      expectProblem(await t.get(`/api/users/directory?ids=${randomUUID()}`, await token('officer@be-police.test')), 403);
      expectProblem(await t.get(`/api/users/directory?ids=${randomUUID()}`), 401);
    });
  });

  describe('break-glass verdict', () => {
    const useBreakGlass = async (): Promise<string> => {
      const response = await t.post<{ id: string }>(
        `/api/cases/${beCase.id}/break-glass`,
        { justification: 'Victim brought in at night, shelter needs identity now' },
        await token('prosecutor@be-prosecution.test'),
      );
      expect(response.status).toBe(201);
      return response.body.id;
    };

    it('lists grants with readable user and organisation', async () => {
      const grant = await useBreakGlass();
      const list = await t.get<BreakGlassPageDto>('/api/audit/break-glass?reviewed=false&limit=100', await token('supervisor@be-police.test'));
      expect(list.body.items.find((item) => item.id === grant)).toMatchObject({
        user: { id: await userId(t.dataSource, 'prosecutor@be-prosecution.test'), name: expect.any(String) },
        organisation: { slug: 'be-prosecution', name: expect.any(String), country: 'BE' },
        verdict: null,
        reviewer: null,
      });
      expect(list.text).not.toContain(beCase.identity.fullName);
    });

    it('needs a verdict; not_justified notifies the lead organisation through the outbox, justified does not', async () => {
      const supervisor = await token('supervisor@be-police.test');
      const first = await useBreakGlass();
      expect(errorPaths(expectProblem(await t.post(`/api/audit/break-glass/${first}/review`, { note: 'No verdict' }, supervisor), 400))).toEqual(['verdict']);
      expectProblem(await t.post(`/api/audit/break-glass/${first}/review`, { verdict: 'maybe', note: 'x' }, supervisor), 400);
      const outboxOf = async (grant: string): Promise<Array<{ type: string; organisation_ids: string[] }>> =>
        t.dataSource.query(`SELECT type, organisation_ids FROM outbox_event WHERE break_glass_id = $1 AND type = $2`, [
          grant,
          DomainEventType.BreakGlassNotJustified,
        ]);
      expect(await outboxOf(first)).toEqual([]);

      const unjustified = await t.post<BreakGlassGrantDto>(
        `/api/audit/break-glass/${first}/review`,
        { verdict: 'not_justified', note: 'No emergency: the shelter could have waited for the morning' },
        supervisor,
      );
      expect(unjustified.status).toBe(200);
      expect(unjustified.body).toMatchObject({ verdict: 'not_justified', reviewNote: expect.stringContaining('No emergency') });
      expect(await outboxOf(first)).toEqual([
        { type: DomainEventType.BreakGlassNotJustified, organisation_ids: [await organisationId(t.dataSource, 'be-police')] },
      ]);

      const second = await useBreakGlass();
      const justified = await t.post<BreakGlassGrantDto>(
        `/api/audit/break-glass/${second}/review`,
        { verdict: 'justified', note: 'Confirmed' },
        await token('supervisor@be-oversight.test'),
      );
      expect(justified.body.verdict).toBe('justified');
      expect(await outboxOf(second)).toEqual([]);
    });
  });

  describe('the log and its verification', () => {
    it('GET /api/audit/log answers the entries and the newest checkpoint', async () => {
      const state = await t.get<AuditLogStateDto>('/api/audit/log', await token('supervisor@be-police.test'));
      expect(state.status).toBe(200);
      expect(state.body.entries).toMatch(/^\d+$/);
      // The same checkpoint as GET /api/audit/checkpoint serves (404 before the first one).
      const note = await t.get('/api/audit/checkpoint', await token('supervisor@be-police.test'));
      const checkpoint = state.body.checkpoint;
      expect(
        checkpoint
          ? { note: checkpoint.note, sizeInNote: checkpoint.note.includes(`\n${checkpoint.treeSize}\n`), dated: !Number.isNaN(Date.parse(checkpoint.signedAt)) }
          : null,
      ).toEqual(note.status === 200 ? { note: note.text, sizeInNote: true, dated: true } : null);
      expectProblem(await t.get('/api/audit/log', await token('officer@be-police.test')), 403);
    });

    it('GET /api/audit/verify/stream sends progress events and then the same result as GET /api/audit/verify', async () => {
      const supervisor = await token('supervisor@be-police.test');
      const stream = await t.get('/api/audit/verify/stream', supervisor);
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const events = stream.text
        .split('\n\n')
        .filter(Boolean)
        .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as unknown }));
      expect(events[0]).toMatchObject({ event: 'progress', data: { checked: 0, total: expect.any(Number) } });
      const last = events[events.length - 1]!;
      expect(last.event).toBe('result');
      const result = last.data as AuditVerificationDto;
      const plain = await t.get<AuditVerificationDto>('/api/audit/verify', supervisor);
      expect(result.valid).toBe(plain.body.valid);
      expect(typeof result.checked).toBe('number');
      expectProblem(await t.get('/api/audit/verify/stream', await token('officer@be-police.test')), 403);
    });
  });
});

/** With a sequenced log of its own: the log page's checkpoint and the streamed verification's progress through several batches. */
describe('supervision console API on a sequenced log', () => {
  let t: TestApp;
  let sequencer: AuditSequencer;

  beforeAll(async () => {
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('supervision_log') });
    sequencer = new AuditSequencer(t.dataSource, t.config, new AuditWitness(t.config));
  });
  afterAll(async () => {
    await sequencer.onApplicationShutdown();
    await t.close();
  });

  it('shows the newest signed checkpoint and streams progress batch by batch up to the same result as GET /api/audit/verify', async () => {
    const supervisor = await t.login('supervisor@be-oversight.test');
    for (let i = 0; i < 3; i += 1) expect((await t.get('/api/audit/events?limit=1', supervisor)).status).toBe(200);
    const checkpoint = await sequencer.catchUp();
    expect(checkpoint?.treeSize).toBeGreaterThan(3n);
    const size = Number(checkpoint!.treeSize);

    const state = await t.get<AuditLogStateDto>('/api/audit/log', supervisor);
    expect(state.body).toEqual({
      entries: String(size),
      checkpoint: { treeSize: String(size), rootHash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/), signedAt: expect.any(String), note: checkpoint!.note },
    });

    t.app.get(AuditVerifier).batchSize = 2;
    const stream = await t.get('/api/audit/verify/stream', supervisor);
    const events = stream.text
      .split('\n\n')
      .filter(Boolean)
      .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as unknown }));
    const progress = events.filter((event) => event.event === 'progress').map((event) => event.data as { checked: number; total: number });
    // Throttled to what a person can follow, but it always starts at 0 and ends at the whole log.
    expect(progress[0]).toEqual({ checked: 0, total: size });
    expect(progress[progress.length - 1]).toEqual({ checked: size, total: size });
    expect(progress.every((item, index) => index === 0 || item.checked > progress[index - 1]!.checked)).toBe(true);
    expect(events[events.length - 1]).toEqual({
      event: 'result',
      data: { valid: true, checked: size, treeSize: String(size), checkpointSize: String(size), breaks: [] },
    });
  });
});
