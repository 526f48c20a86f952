import { TestApp, type TestResponse } from '../support/app';
import { caseBody } from '../support/factories';
import { OwnPostgres, waitUntil } from '../support/own-services';

/**
 * PostgreSQL restarted while clients keep working (issue 14, "Faults"): while it is down every
 * answer is a 503 problem+json with Retry-After, the API serves again within 5 s of it coming
 * back, and nothing is half-done: each case the API confirmed exists whole (five sections, its
 * lead participation, its audit event), no case exists that the API did not confirm, and the
 * audit chain verifies.
 */
interface Outcome {
  at: number;
  what: string;
  status: number;
  contentType: string;
  retryAfter?: string;
  caseId?: string;
}

describe('faults: PostgreSQL restarted under load', () => {
  let postgres: OwnPostgres;
  let t: TestApp;

  beforeAll(async () => {
    postgres = await OwnPostgres.create();
    t = await TestApp.start({ DATABASE_URL: postgres.url });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await postgres?.dispose();
  });

  it('answers 503 while it is down, recovers within 5 s, and leaves nothing half-done', async () => {
    const officer = await t.login('officer@be-police.test');
    const supervisor = await t.login('supervisor@be-oversight.test');
    const existing = ((await t.dataSource.query(`SELECT id FROM "case"`)) as Array<{ id: string }>).map((row) => row.id);
    const outcomes: Outcome[] = [];
    let stopLoad = false;
    const record = (what: string, response: TestResponse<{ id?: string }>) =>
      outcomes.push({
        at: Date.now(),
        what,
        status: response.status,
        contentType: String(response.headers['content-type'] ?? ''),
        retryAfter: response.headers['retry-after'] as string | undefined,
        caseId: what === 'create' && response.status === 201 ? response.body.id : undefined,
      });
    // Four clients, each opening a case, reading it back and listing, as fast as the API answers.
    const client = async () => {
      while (!stopLoad) {
        const created = await t.post<{ id?: string }>('/api/cases', caseBody(), officer);
        record('create', created);
        if (created.status === 201) record('read', await t.get(`/api/cases/${created.body.id}`, officer));
        record('list', await t.get('/api/cases?limit=5', officer));
      }
    };
    const clients = [client(), client(), client(), client()];

    await waitUntil('some cases opened before the restart', async () => outcomes.filter((o) => o.status === 201).length >= 10, 30_000);
    const stoppedAt = Date.now();
    await postgres.stop();
    const downAt = Date.now();
    await waitUntil('503 answers while PostgreSQL is down', async () => outcomes.filter((o) => o.at > downAt && o.status === 503).length >= 20, 15_000).catch(
      (error: Error) => {
        stopLoad = true;
        const after = outcomes.filter((o) => o.at > stoppedAt);
        throw new Error(
          `${error.message}; stop took ${downAt - stoppedAt} ms; after the stop: ${JSON.stringify(after.slice(-5))} (${after.length}, ${outcomes.filter((o) => o.at > downAt).length} after down)`,
        );
      },
    );
    const startingAt = Date.now();
    await postgres.start();
    const upAt = Date.now();
    await waitUntil('a success after the restart', async () => outcomes.some((o) => o.at > upAt && o.status < 300), 10_000);
    const recoveredAt = outcomes.find((o) => o.at > upAt && o.status < 300)!.at;
    // Some load after recovery, so a broken pooled connection would show.
    const settleFrom = outcomes.length;
    await waitUntil('40 answers after recovery', async () => outcomes.length - settleFrom >= 40, 15_000);
    stopLoad = true;
    await Promise.all(clients);

    const unexpected = outcomes.filter((o) => ![200, 201, 503].includes(o.status));
    expect(unexpected).toEqual([]);
    const unavailable = outcomes.filter((o) => o.status === 503);
    expect(unavailable.every((o) => o.contentType.startsWith('application/problem+json') && o.retryAfter === '5')).toBe(true);
    // Nothing before the stop began failed, and everything after recovery succeeded.
    expect(outcomes.filter((o) => o.at < stoppedAt && o.status === 503)).toEqual([]);
    expect(outcomes.filter((o) => o.at > recoveredAt && o.status === 503)).toEqual([]);
    expect(recoveredAt - upAt).toBeLessThan(5_000);

    // Nothing half-done: exactly the cases the API confirmed, each one whole.
    const confirmed = outcomes.filter((o) => o.caseId).map((o) => o.caseId!);
    const cases: Array<{ id: string; sections: number; leads: number; audited: number }> = await t.dataSource.query(
      `SELECT c.id,
              (SELECT count(*)::int FROM case_section s WHERE s.case_id = c.id) AS sections,
              (SELECT count(*)::int FROM participation p WHERE p.case_id = c.id AND p.purpose = 'lead' AND p.revoked_at IS NULL) AS leads,
              (SELECT count(*)::int FROM audit_event a WHERE a.case_id = c.id AND a.action = 'case.create' AND a.outcome = 'allowed') AS audited
         FROM "case" c WHERE NOT (c.id = ANY($1::uuid[]))`,
      [existing],
    );
    expect(cases.map((c) => c.id).sort()).toEqual([...confirmed].sort());
    expect(cases.filter((c) => c.sections !== 5 || c.leads !== 1 || c.audited !== 1)).toEqual([]);
    const verified = await t.get<{ valid: boolean }>('/api/audit/verify', supervisor);
    expect(verified.status).toBe(200);
    expect(verified.body.valid).toBe(true);

    process.stdout.write(
      `postgres restart: ${outcomes.length} requests, ${unavailable.length} × 503 while down ` +
        `(stop took ${downAt - stoppedAt} ms, start ${upAt - startingAt} ms), first success ${recoveredAt - upAt} ms after it was back, ${confirmed.length} cases whole\n`,
    );
  }, 120_000);
});
