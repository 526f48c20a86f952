import { randomUUID } from 'node:crypto';
import { AuditAction } from '../src/audit/audit-action';
import { AuditQueryService } from '../src/audit/audit-query.service';
import { AuditService } from '../src/audit/audit.service';
import type { AuditEventDto, AuditEventPageDto } from '../src/audit/dto/audit.dto';
import type { BreakGlassGrantDto, BreakGlassPageDto } from '../src/break-glass/dto/break-glass.dto';
import { Role } from '../src/access/role';
import { TestApp, type TestResponse } from './support/app';
import { createCase, organisationId, userId } from './support/factories';
import { errorPaths, expectProblem } from './support/problem';

/** RFC 4180 records, quoted fields with doubled quotes and embedded line breaks included. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += 1;
    } else cell += char;
  }
  if (cell !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF');
  return records;
}

describe('audit supervisor API', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const token = async (email: string): Promise<string> => (tokens[email] ??= await t.login(email));
  const run = randomUUID().slice(0, 8);
  const tag = (label: string): string => `audit-api-${run}-${label}`;
  let since: string;
  /** A time between the first scope event and the others. */
  let midpoint: string;

  /** A request carrying its own request id, so the audit event it leaves can be found again. */
  const tagged = <T>(method: string, url: string, email: string, label: string, body?: unknown): Promise<TestResponse<T>> =>
    token(email).then((bearer) => t.request<T>(method, url, { token: bearer, body, headers: { 'x-request-id': tag(label) } }));

  const eventsSeenBy = async (email: string, query = '', from = since): Promise<AuditEventDto[]> => {
    const response = await t.get<AuditEventPageDto>(`/api/audit/events?from=${encodeURIComponent(from)}&limit=100${query}`, await token(email));
    expect(response.status).toBe(200);
    return response.body.items;
  };
  const labelsIn = (events: AuditEventDto[]): string[] =>
    events
      .map((event) => event.requestId ?? '')
      .filter((id) => id.startsWith(tag('')))
      .map((id) => id.slice(tag('').length))
      .sort();

  let beCase: string;
  let nlCase: string;

  beforeAll(async () => {
    t = await TestApp.start();
    since = new Date(Date.now() - 1000).toISOString();
    beCase = (await createCase(t, await token('officer@be-police.test'))).id;
    nlCase = (await createCase(t, await token('officer@nl-police.test'))).id;
    // The events the scope rules are judged on, left by the real case endpoints.
    expect((await tagged('GET', `/api/cases/${beCase}`, 'officer@be-police.test', 'be-officer-reads-be-case')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    midpoint = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await tagged('GET', `/api/cases/${beCase}`, 'officer@nl-police.test', 'nl-officer-denied-be-case')).status).toBe(404);
    expect((await tagged('GET', `/api/cases/${beCase}`, 'caseworker@be-shelter-antwerp.test', 'be-shelter-denied-be-case')).status).toBe(404);
    expect((await tagged('GET', `/api/cases/${nlCase}`, 'officer@nl-police.test', 'nl-officer-reads-nl-case')).status).toBe(200);
    expect((await tagged('GET', `/api/cases`, 'officer@be-police.test', 'be-officer-lists')).status).toBe(200);
  });
  afterAll(() => t.close());

  describe('scope', () => {
    it.each([
      ['supervisor@be-police.test', ['be-officer-lists', 'be-officer-reads-be-case', 'be-shelter-denied-be-case', 'nl-officer-denied-be-case']],
      ['supervisor@nl-police.test', ['nl-officer-denied-be-case', 'nl-officer-reads-nl-case']],
      ['supervisor@be-shelter-antwerp.test', ['be-shelter-denied-be-case']],
      ['supervisor@be-oversight.test', ['be-officer-lists', 'be-officer-reads-be-case', 'be-shelter-denied-be-case', 'nl-officer-denied-be-case']],
      ['supervisor@nl-oversight.test', ['nl-officer-denied-be-case', 'nl-officer-reads-nl-case']],
      ['supervisor@lu-oversight.test', []],
    ])('%s sees exactly the events of its scope', async (email, expected) => {
      expect(labelsIn(await eventsSeenBy(email))).toEqual(expected);
    });

    it.each(['officer@be-police.test', 'admin@be-police.test', 'admin@platform.test', 'caseworker@be-shelter-antwerp.test'])(
      'refuses %s: only supervisors audit',
      async (email) => {
        for (const url of ['/api/audit/events', '/api/audit/events.csv', '/api/audit/verify', `/api/cases/${beCase}/access-log`, '/api/audit/break-glass']) {
          expectProblem(await t.get(url, await token(email)), 403);
        }
      },
    );

    it('shows a denied attempt with who, what, outcome and where from, but no case content', async () => {
      const events = await eventsSeenBy('supervisor@be-oversight.test', `&caseId=${beCase}&outcome=denied&action=case.read`);
      const denied = events.find((event) => event.requestId === tag('nl-officer-denied-be-case'))!;
      expect(denied).toEqual({
        id: expect.any(String),
        at: expect.stringMatching(/Z$/),
        actor: {
          userId: await userId(t.dataSource, 'officer@nl-police.test'),
          organisationId: await organisationId(t.dataSource, 'nl-police'),
          role: Role.Officer,
          // Readable names (API.md, Readable context): staff and organisation, never the victim.
          name: 'officer (nl-police)',
          organisationName: 'Police, the Netherlands',
        },
        action: AuditAction.CaseRead,
        caseId: beCase,
        caseReference: expect.stringMatching(/^BE-\d{4}-\d{6}$/),
        outcome: 'denied',
        requestId: tag('nl-officer-denied-be-case'),
        ip: expect.any(String),
      });
      expect(events.every((event) => event.outcome === 'denied' && event.caseId === beCase && event.action === 'case.read')).toBe(true);
    });
  });

  describe('events', () => {
    it('filters by actor, organisation and period', async () => {
      const nlOfficer = await userId(t.dataSource, 'officer@nl-police.test');
      const byActor = await eventsSeenBy('supervisor@be-police.test', `&actorId=${nlOfficer}`);
      expect(labelsIn(byActor)).toEqual(['nl-officer-denied-be-case']);
      const shelter = await organisationId(t.dataSource, 'be-shelter-antwerp');
      expect(labelsIn(await eventsSeenBy('supervisor@be-oversight.test', `&organisationId=${shelter}`))).toEqual(['be-shelter-denied-be-case']);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const before = await t.get<AuditEventPageDto>(
        `/api/audit/events?from=${encodeURIComponent(since)}&to=${encodeURIComponent(midpoint)}&limit=100`,
        await token('supervisor@be-oversight.test'),
      );
      expect(labelsIn(before.body.items)).toEqual(['be-officer-reads-be-case']);
      expect(labelsIn(await eventsSeenBy('supervisor@be-oversight.test', '', midpoint))).not.toContain('be-officer-reads-be-case');
      const later = await t.get<AuditEventPageDto>(`/api/audit/events?from=${encodeURIComponent(future)}`, await token('supervisor@be-police.test'));
      expect(later.body.items).toEqual([]);
    });

    it('pages newest first with a keyset cursor, without gaps or repeats', async () => {
      const supervisor = await token('supervisor@be-oversight.test');
      const all = await eventsSeenBy('supervisor@be-oversight.test', `&caseId=${beCase}`);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: TestResponse<AuditEventPageDto> = await t.get<AuditEventPageDto>(
          `/api/audit/events?caseId=${beCase}&from=${encodeURIComponent(since)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          supervisor,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((event) => event.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      // Each page is itself audited (with the case id), so later pages may show newer events: compare the ones listed at first.
      expect(seen.filter((id) => all.some((event) => event.id === id))).toEqual(all.map((event) => event.id));
      expect(new Set(seen).size).toBe(seen.length);
      const times = all.map((event) => event.at);
      expect([...times].sort().reverse()).toEqual(times);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['action=case.delete', 'action'],
      ['outcome=maybe', 'outcome'],
      ['caseId=42', 'caseId'],
      ['actorId=not-a-uuid', 'actorId'],
      ['from=yesterday', 'from'],
      ['from=2026-01-01T10:00:00', 'from'],
      ['to=2026-13-01', 'to'],
      ['from=2026-02-01&to=2026-01-01', 'to'],
      ['cursor=bm9wZQ', 'cursor'],
      ['colour=blue', 'colour'],
    ])('answers 400 for %s', async (query, path) => {
      const body = expectProblem(await t.get(`/api/audit/events?${query}`, await token('supervisor@be-police.test')), 400);
      expect(errorPaths(body)).toContain(path);
    });

    it('audits every query and export before answering', async () => {
      const supervisorId = await userId(t.dataSource, 'supervisor@be-police.test');
      expect((await tagged('GET', `/api/audit/events?caseId=${beCase}`, 'supervisor@be-police.test', 'query')).status).toBe(200);
      expect((await tagged('GET', `/api/audit/events.csv?outcome=denied`, 'supervisor@be-police.test', 'export')).status).toBe(200);
      expect((await tagged('GET', `/api/audit/verify`, 'supervisor@be-police.test', 'verify')).status).toBe(200);
      const events = await eventsSeenBy('supervisor@be-police.test', `&actorId=${supervisorId}`);
      const byLabel = Object.fromEntries(events.map((event) => [event.requestId, event]));
      expect(byLabel[tag('query')]).toMatchObject({ action: AuditAction.AuditQuery, outcome: 'allowed', caseId: beCase });
      expect(byLabel[tag('export')]).toMatchObject({ action: AuditAction.AuditExport, outcome: 'allowed' });
      expect(byLabel[tag('verify')]).toMatchObject({ action: AuditAction.AuditVerify, outcome: 'allowed' });
    });
  });

  describe('CSV export', () => {
    it('streams the same events as CSV with spreadsheet formulas neutralised', async () => {
      const audit = t.app.get(AuditService);
      const actor = {
        userId: await userId(t.dataSource, 'officer@be-police.test'),
        organisationId: await organisationId(t.dataSource, 'be-police'),
        role: Role.Officer,
      };
      const justifications = ['=HYPERLINK("http://evil.test","x")', '+1+1', '-2', '@SUM(A1)', '\tindent', '\rreturn', 'comma, "quote"\nline', 'plain'];
      for (const [i, justification] of justifications.entries()) {
        await audit.recordNow({
          action: AuditAction.BreakGlass,
          outcome: 'allowed',
          actor,
          caseId: beCase,
          justification,
          meta: { requestId: tag(`csv-${i}`), ip: '192.0.2.9' },
        });
      }
      const queries = t.app.get(AuditQueryService);
      queries.csvBatchSize = 3;
      let response: TestResponse;
      try {
        response = await t.get(`/api/audit/events.csv?caseId=${beCase}&action=break_glass`, await token('supervisor@be-police.test'));
      } finally {
        queries.csvBatchSize = 2_000;
      }
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="passage-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect(response.headers['content-length']).toBeUndefined();
      const [header, ...rows] = parseCsv(response.text);
      expect(header).toEqual([
        'id',
        'at',
        'actorUserId',
        'actorOrganisationId',
        'actorRole',
        'action',
        'caseId',
        'sections',
        'outcome',
        'legalBasis',
        'justification',
        'requestId',
        'ip',
        'actorName',
        'actorOrganisationName',
        'caseReference',
      ]);
      const mine = rows.filter((row) => row[11]!.startsWith(tag('csv-')));
      // Newest first, each exactly once across the batches.
      expect(mine.map((row) => row[11])).toEqual(justifications.map((_, i) => tag(`csv-${i}`)).reverse());
      expect(mine.map((row) => row[10]).reverse()).toEqual([
        `'=HYPERLINK("http://evil.test","x")`,
        `'+1+1`,
        `'-2`,
        `'@SUM(A1)`,
        `'\tindent`,
        `'\rreturn`,
        'comma, "quote"\nline',
        'plain',
      ]);
      expect(response.text).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
      expect(mine[0]!.slice(2, 9)).toEqual([actor.userId, actor.organisationId, 'officer', 'break_glass', beCase, '', 'allowed']);
    });

    it('exports only what the supervisor may see', async () => {
      const response = await t.get(`/api/audit/events.csv?caseId=${beCase}`, await token('supervisor@nl-oversight.test'));
      expect(response.status).toBe(200);
      const labels = parseCsv(response.text)
        .slice(1)
        .map((row) => row[11]!)
        .filter((id) => id.startsWith(tag('')));
      expect(labels).toEqual([tag('nl-officer-denied-be-case')]);
    });

    it('validates the filters like the list', async () => {
      expectProblem(await t.get('/api/audit/events.csv?outcome=perhaps', await token('supervisor@be-police.test')), 400);
      expectProblem(await t.get('/api/audit/events.csv?limit=5', await token('supervisor@be-police.test')), 400);
    });
  });

  describe('access log of a case', () => {
    it('lists the case events for its lead organisation and the oversight of its country', async () => {
      for (const email of ['supervisor@be-police.test', 'supervisor@be-oversight.test']) {
        const response = await t.get<AuditEventPageDto>(`/api/cases/${beCase}/access-log?limit=100`, await token(email));
        expect(response.status).toBe(200);
        expect(response.body.items.every((event) => event.caseId === beCase)).toBe(true);
        expect(labelsIn(response.body.items)).toEqual(
          expect.arrayContaining(['be-officer-reads-be-case', 'be-shelter-denied-be-case', 'nl-officer-denied-be-case']),
        );
        expect(labelsIn(response.body.items)).not.toContain('be-officer-lists');
        expect(response.body.items.at(-1)).toMatchObject({ action: AuditAction.CaseCreate, caseId: beCase });
      }
    });

    it('answers 404 to supervisors outside the case, as for a case that does not exist, and audits the refusal', async () => {
      for (const [i, email] of ['supervisor@nl-police.test', 'supervisor@nl-oversight.test', 'supervisor@be-shelter-antwerp.test'].entries()) {
        expectProblem(await tagged('GET', `/api/cases/${beCase}/access-log`, email, `access-log-refused-${i}`), 404);
      }
      expectProblem(await t.get(`/api/cases/${randomUUID()}/access-log`, await token('supervisor@be-police.test')), 404);
      expectProblem(await t.get(`/api/cases/not-a-case/access-log`, await token('supervisor@be-police.test')), 404);
      const log = await t.get<AuditEventPageDto>(`/api/cases/${beCase}/access-log?limit=100`, await token('supervisor@be-police.test'));
      const refusal = log.body.items.find((event) => event.requestId === tag('access-log-refused-0'));
      expect(refusal).toMatchObject({ action: AuditAction.AuditQuery, outcome: 'denied', actor: { role: Role.Supervisor } });
    });

    it('pages with a cursor', async () => {
      const supervisor = await token('supervisor@be-police.test');
      const first = await t.get<AuditEventPageDto>(`/api/cases/${beCase}/access-log?limit=1`, supervisor);
      expect(first.body.items).toHaveLength(1);
      const second = await t.get<AuditEventPageDto>(`/api/cases/${beCase}/access-log?limit=1&cursor=${first.body.nextCursor}`, supervisor);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.items[0]!.at <= first.body.items[0]!.at).toBe(true);
      expect(second.body.items[0]!.id).not.toBe(first.body.items[0]!.id);
      expectProblem(await t.get(`/api/cases/${beCase}/access-log?limit=1000`, supervisor), 400);
    });
  });

  describe('break-glass review', () => {
    let grant: string;
    beforeAll(async () => {
      const response = await t.post<{ id: string }>(
        `/api/cases/${beCase}/break-glass`,
        { justification: 'Victim brought in at night, shelter needs identity now' },
        await token('prosecutor@be-prosecution.test'),
      );
      expect(response.status).toBe(201);
      grant = response.body.id;
    });

    const grantsSeenBy = async (email: string, query = ''): Promise<BreakGlassGrantDto[]> => {
      const response = await t.get<BreakGlassPageDto>(`/api/audit/break-glass?limit=100${query}`, await token(email));
      expect(response.status).toBe(200);
      return response.body.items;
    };

    it('lists an unreviewed use to the supervisors concerned only', async () => {
      for (const email of ['supervisor@be-police.test', 'supervisor@be-prosecution.test', 'supervisor@be-oversight.test']) {
        expect((await grantsSeenBy(email, '&reviewed=false')).map((item) => item.id)).toContain(grant);
      }
      for (const email of ['supervisor@nl-police.test', 'supervisor@nl-oversight.test', 'supervisor@be-shelter-antwerp.test']) {
        expect((await grantsSeenBy(email)).map((item) => item.id)).not.toContain(grant);
      }
      const item = (await grantsSeenBy('supervisor@be-police.test')).find((entry) => entry.id === grant);
      expect(item).toMatchObject({
        caseId: beCase,
        caseReference: expect.stringMatching(/^BE-/),
        userId: await userId(t.dataSource, 'prosecutor@be-prosecution.test'),
        organisationId: await organisationId(t.dataSource, 'be-prosecution'),
        justification: 'Victim brought in at night, shelter needs identity now',
        reviewedAt: null,
        reviewedBy: null,
        reviewNote: null,
      });
    });

    it("is reviewed by the case's lead organisation and its country's oversight, not by the organisation that used it (finding 4)", async () => {
      // The prosecution's supervisor sees its own user's use in the list, but does not judge it.
      expect((await grantsSeenBy('supervisor@be-prosecution.test', '&reviewed=false')).map((item) => item.id)).toContain(grant);
      expectProblem(
        await tagged('POST', `/api/audit/break-glass/${grant}/review`, 'supervisor@be-prosecution.test', 'review-by-user-side', {
          verdict: 'justified',
          note: 'We checked ourselves',
        }),
        403,
      );
      // Outside the supervisor's scope the grant is as unknown as a random id: no existence oracle.
      expectProblem(
        await t.post(`/api/audit/break-glass/${grant}/review`, { verdict: 'justified', note: 'Looks fine' }, await token('supervisor@nl-oversight.test')),
        404,
      );
      expect((await grantsSeenBy('supervisor@be-police.test', '&reviewed=false')).map((item) => item.id)).toContain(grant);
      const log = await t.get<AuditEventPageDto>(`/api/cases/${beCase}/access-log?limit=100`, await token('supervisor@be-oversight.test'));
      expect(log.body.items.find((event) => event.requestId === tag('review-by-user-side'))).toMatchObject({
        action: AuditAction.BreakGlassReview,
        outcome: 'denied',
      });
    });

    it('is reviewed once, by a supervisor in scope, and the review is audited', async () => {
      expectProblem(
        await t.post(`/api/audit/break-glass/${grant}/review`, { verdict: 'justified', note: 'Looks fine' }, await token('supervisor@nl-police.test')),
        404,
      );
      expectProblem(
        await t.post(`/api/audit/break-glass/${randomUUID()}/review`, { verdict: 'justified', note: 'Looks fine' }, await token('supervisor@be-police.test')),
        404,
      );
      expect(
        errorPaths(
          expectProblem(
            await t.post(`/api/audit/break-glass/${grant}/review`, { verdict: 'justified', note: '  ' }, await token('supervisor@be-police.test')),
            400,
          ),
        ),
      ).toEqual(['note']);
      expectProblem(
        await t.post(`/api/audit/break-glass/${grant}/review`, { verdict: 'justified', note: 'ok', extra: 1 }, await token('supervisor@be-police.test')),
        400,
      );
      expectProblem(await t.post(`/api/audit/break-glass/${grant}/review`, { verdict: 'justified', note: 'ok' }, await token('officer@be-police.test')), 403);

      const reviewed = await tagged<BreakGlassGrantDto>('POST', `/api/audit/break-glass/${grant}/review`, 'supervisor@be-police.test', 'review', {
        verdict: 'justified',
        note: 'Justified: night intake confirmed with the shelter',
      });
      expect(reviewed.status).toBe(200);
      expect(reviewed.body).toMatchObject({
        id: grant,
        reviewedAt: expect.any(String),
        reviewedBy: await userId(t.dataSource, 'supervisor@be-police.test'),
        reviewNote: 'Justified: night intake confirmed with the shelter',
        verdict: 'justified',
        reviewer: { id: await userId(t.dataSource, 'supervisor@be-police.test'), name: expect.any(String) },
      });
      expectProblem(
        await t.post(`/api/audit/break-glass/${grant}/review`, { verdict: 'not_justified', note: 'again' }, await token('supervisor@be-oversight.test')),
        409,
      );

      expect((await grantsSeenBy('supervisor@be-police.test', '&reviewed=false')).map((item) => item.id)).not.toContain(grant);
      expect((await grantsSeenBy('supervisor@be-police.test', '&reviewed=true')).map((item) => item.id)).toContain(grant);
      const log = await t.get<AuditEventPageDto>(`/api/cases/${beCase}/access-log?limit=100`, await token('supervisor@be-oversight.test'));
      expect(log.body.items.find((event) => event.requestId === tag('review'))).toMatchObject({
        action: AuditAction.BreakGlassReview,
        outcome: 'allowed',
        legalBasis: 'break_glass',
      });
      expect(log.body.items.some((event) => event.action === AuditAction.BreakGlass && event.outcome === 'allowed')).toBe(true);
    });

    it('pages the list with a cursor and validates its query', async () => {
      // A second use on the same case, so the list has at least two items and must page.
      const again = await t.post(
        `/api/cases/${beCase}/break-glass`,
        { justification: 'Migration needs the identity for the reflection period' },
        await token('migration-officer@be-migration.test'),
      );
      expect(again.status).toBe(201);
      const supervisor = await token('supervisor@be-oversight.test');
      const first = await t.get<BreakGlassPageDto>('/api/audit/break-glass?limit=1', supervisor);
      expect(first.body.items).toHaveLength(1);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.get<BreakGlassPageDto>(`/api/audit/break-glass?limit=1&cursor=${first.body.nextCursor}`, supervisor);
      expect(second.status).toBe(200);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.items[0]!.id).not.toBe(first.body.items[0]!.id);
      expectProblem(await t.get('/api/audit/break-glass?reviewed=maybe', supervisor), 400);
      expectProblem(await t.get('/api/audit/break-glass?cursor=xyz', supervisor), 400);
    });
  });

  it('verifies the log for a supervisor', async () => {
    const response = await t.get<{ valid: boolean; checked: number }>('/api/audit/verify', await token('supervisor@lu-oversight.test'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ valid: true, checked: expect.any(Number), treeSize: expect.any(String), checkpointSize: expect.any(String), breaks: [] });
  });
});
