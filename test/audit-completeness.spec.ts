import { randomUUID } from 'node:crypto';
import { TestApp } from './support/app';
import { addParticipation, caseBody, createCase, organisationId } from './support/factories';

/**
 * A scripted mix of requests over every case endpoint by users of every role: each request
 * carries its own request id and must leave exactly one audit event (allowed for 2xx, denied for
 * 403/404) with the right action, case and sections, and none when it changed nothing for a
 * reason other than access (400, 409, 422). No identity string written by the spec may appear
 * anywhere in the audit table.
 */
const USERS = [
  'officer@be-police.test',
  'officer2@be-police.test',
  'officer@nl-police.test',
  'prosecutor@be-prosecution.test',
  'inspector@be-labour.test',
  'caseworker@be-shelter-brussels.test',
  'caseworker@be-shelter-antwerp.test',
  'migration-officer@be-migration.test',
  'supervisor@be-police.test',
  'supervisor@be-oversight.test',
  'admin@be-police.test',
  'admin@platform.test',
];
const SECTIONS = ['summary', 'identity', 'care', 'investigation', 'immigration'];
const PATCHES: Record<string, Record<string, unknown>> = {
  summary: { riskLevel: 'low' },
  identity: { aliases: ['Completeness Alias'] },
  care: { placement: 'Completeness room' },
  investigation: { policeReportNumber: 'PV-C-1' },
  immigration: { residenceStatus: 'none' },
};

interface Expected {
  requestId: string;
  label: string;
  status: number;
  action: string;
  caseId: string | null;
  sections: string[] | null;
}

/** Deterministic, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('audit completeness', () => {
  let t: TestApp;
  const tokens = new Map<string, string>();
  const expected: Expected[] = [];
  const identityStrings: string[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    for (const email of USERS) tokens.set(email, await t.login(email));
  });
  afterAll(() => t.close());

  async function call(
    label: string,
    method: string,
    url: string,
    email: string,
    body: unknown,
    audit: { action: string | ((status: number) => string); caseId: string | null; sections?: (status: number, response: unknown) => string[] | null },
  ) {
    const requestId = `completeness-${randomUUID()}`;
    const response = await t.request(method, url, { token: tokens.get(email), body, headers: { 'x-request-id': requestId } });
    expected.push({
      requestId,
      label: `${label} by ${email}`,
      status: response.status,
      action: typeof audit.action === 'function' ? audit.action(response.status) : audit.action,
      caseId: audit.caseId,
      sections: audit.sections ? audit.sections(response.status, response.body) : null,
    });
    return response;
  }

  it('writes exactly one audit event per access, with the right outcome and sections', async () => {
    const next = random(20261129);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const officer = tokens.get('officer@be-police.test')!;
    const cases: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const name = `Completeness Person ${randomUUID().slice(0, 8)}`;
      identityStrings.push(name);
      const created = await createCase(
        t,
        officer,
        caseBody({ identity: { fullName: name, contact: { phone: '+32 470 00 00 00', address: `${name} street 1` } } }),
      );
      cases.push(created.id);
    }
    await addParticipation(t.dataSource, cases[0]!, 'be-shelter-brussels', 'shelter', { legalBasis: 'consent' });
    await addParticipation(t.dataSource, cases[0]!, 'be-prosecution', 'prosecution');
    await addParticipation(t.dataSource, cases[1]!, 'be-migration', 'residence', { legalBasis: 'consent' });
    await addParticipation(t.dataSource, cases[2]!, 'nl-police', 'investigation', { legalBasis: 'treaty' });
    const readSections = (status: number, body: unknown) =>
      status === 200 ? SECTIONS.filter((s) => (body as Record<string, unknown>)[s] !== undefined) : null;

    for (let i = 0; i < 1000; i += 1) {
      const email = pick(USERS);
      const caseId = pick(cases);
      const roll = next();
      if (roll < 0.3) {
        await call('read', 'GET', `/api/cases/${caseId}`, email, undefined, { action: 'case.read', caseId, sections: readSections });
      } else if (roll < 0.4) {
        await call('list', 'GET', '/api/cases?limit=10', email, undefined, {
          action: 'case.list',
          caseId: null,
          sections: (status) => (status === 200 ? ['summary'] : null),
        });
      } else if (roll < 0.7) {
        const section = pick(SECTIONS);
        const version = (
          (await t.dataSource.query(`SELECT version FROM case_section WHERE case_id = $1 AND section = $2`, [caseId, section])) as Array<{ version: number }>
        )[0]!.version;
        // One in five uses a stale version on purpose: a conflict, not an access.
        const sent = next() < 0.2 && version > 1 ? version - 1 : version;
        await call(
          `update ${section}`,
          'PATCH',
          `/api/cases/${caseId}/sections/${section}`,
          email,
          { version: sent, data: PATCHES[section] },
          { action: 'case.section.update', caseId, sections: () => [section] },
        );
      } else if (roll < 0.8) {
        await call('explain', 'GET', `/api/cases/${caseId}/access`, email, undefined, { action: 'case.access', caseId });
      } else if (roll < 0.87) {
        await call(
          'break-glass',
          'POST',
          `/api/cases/${caseId}/break-glass`,
          email,
          { justification: 'Completeness check of emergency access' },
          { action: 'break_glass', caseId, sections: () => ['summary', 'identity'] },
        );
      } else if (roll < 0.94) {
        const target = await organisationId(t.dataSource, pick(['be-prosecution', 'nl-police', 'be-labour']));
        await call(
          'refer',
          'POST',
          `/api/cases/${caseId}/referrals`,
          email,
          { toOrganisationId: target, purpose: 'prosecution', urgency: 'routine' },
          { action: 'referral.create', caseId },
        );
      } else if (roll < 0.97) {
        await call(
          'close',
          'POST',
          `/api/cases/${caseId}/close`,
          email,
          { reason: 'other' },
          {
            // Where the prosecution takes part, closing is a request (202) it must approve.
            action: (status) => (status === 202 ? 'case.close_requested' : 'case.close'),
            caseId,
          },
        );
      } else {
        const shelter = await organisationId(t.dataSource, 'be-shelter-brussels');
        await call(
          'withdraw consent',
          'POST',
          `/api/cases/${caseId}/consent/withdraw`,
          email,
          { organisationId: shelter, reportedBy: 'victim', note: 'Told the officer' },
          { action: 'consent.withdraw', caseId },
        );
      }
    }

    const rows: Array<{
      request_id: string;
      action: string;
      outcome: string;
      case_id: string | null;
      sections: string[] | null;
      actor_user_id: string | null;
    }> = await t.dataSource.query(`SELECT request_id, action, outcome, case_id, sections, actor_user_id FROM audit_event WHERE request_id = ANY($1)`, [
      expected.map((e) => e.requestId),
    ]);
    const byRequest = new Map<string, typeof rows>();
    for (const row of rows) byRequest.set(row.request_id, [...(byRequest.get(row.request_id) ?? []), row]);

    // A 5xx is a bug, not a refusal: it would otherwise count as "no access decision" and pass.
    expect(expected.filter((e) => e.status >= 500).map((e) => `${e.label} (${e.status})`)).toEqual([]);
    const problems: string[] = [];
    const counts = { allowed: 0, denied: 0, none: 0 };
    for (const e of expected) {
      const events = byRequest.get(e.requestId) ?? [];
      const outcome = e.status >= 200 && e.status < 300 ? 'allowed' : e.status === 403 || e.status === 404 ? 'denied' : null;
      if (outcome === null) {
        counts.none += 1;
        if (events.length !== 0) problems.push(`${e.label} (${e.status}): expected no event, found ${events.length}`);
        continue;
      }
      counts[outcome] += 1;
      if (events.length !== 1) {
        problems.push(`${e.label} (${e.status}): expected one event, found ${events.length}`);
        continue;
      }
      const event = events[0]!;
      const sections = outcome === 'allowed' || e.action === 'case.section.update' || e.action === 'break_glass' ? e.sections : null;
      const want = { action: e.action, outcome, caseId: e.caseId, sections: e.action === 'case.read' && outcome === 'denied' ? null : sections };
      const got = { action: event.action, outcome: event.outcome, caseId: event.case_id, sections: event.sections };
      if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`${e.label} (${e.status}): expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      if (!event.actor_user_id) problems.push(`${e.label}: no actor`);
    }
    expect(problems).toEqual([]);
    expect(expected.length).toBeGreaterThanOrEqual(1000);
    expect(counts.allowed).toBeGreaterThan(200);
    expect(counts.denied).toBeGreaterThan(200);
    process.stdout.write(
      `audit completeness: ${expected.length} requests, ${counts.allowed} allowed, ${counts.denied} denied, ${counts.none} without access decision\n`,
    );

    const dump: Array<{ text: string }> = await t.dataSource.query(`SELECT string_agg(row_to_json(a)::text, '') AS text FROM audit_event a`);
    for (const name of identityStrings) expect(dump[0]!.text).not.toContain(name);
    expect(dump[0]!.text).not.toContain('+32 470');

    // The CSV export of the same events, as Belgian oversight sees them.
    const csv = await t.request('GET', `/api/audit/events.csv?caseId=${cases[0]}`, { token: tokens.get('supervisor@be-oversight.test') });
    expect(csv.status).toBe(200);
    expect(csv.text.split('\n').length).toBeGreaterThan(10);
    for (const name of identityStrings) expect(csv.text).not.toContain(name);
    expect(csv.text).not.toContain('+32 470');
  }, 300_000);
});
