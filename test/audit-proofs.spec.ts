import fc from 'fast-check';
import { AuditAction } from '../src/audit/audit-action';
import { AuditSequencer } from '../src/audit/audit-sequencer';
import { AuditWitness } from '../src/audit/audit-witness';
import { AuditService } from '../src/audit/audit.service';
import { TestApp } from './support/app';
import { isolatedDatabaseUrl } from './support/database';
import { createCase, organisationId } from './support/factories';
import { expectProblem } from './support/problem';
import { checkConsistency, independentKey, type IndependentKey, rfcLeafHash, rootFromInclusionPath } from './support/rfc9162';

interface Proof {
  leafIndex: number;
  treeSize: number;
  entry: string;
  inclusionPath: string[];
  checkpoint: string;
}

interface Verification {
  valid: boolean;
  checked: number;
  breaks: Array<{ eventId: string | null; index: string | null; reason: string }>;
}

describe('the audit log, checked by an independent RFC 9162 verifier', () => {
  let t: TestApp;
  let sequencer: AuditSequencer;
  let supervisor: string;
  let key: IndependentKey;
  /** The signed checkpoints produced, in order, as the independent verifier read them. */
  const checkpoints: Array<{ size: number; root: Buffer }> = [];

  beforeAll(async () => {
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('audit_proofs') });
    sequencer = new AuditSequencer(t.dataSource, t.config, new AuditWitness(t.config));
    supervisor = await t.login('supervisor@be-police.test');
    const response = await t.get<{ origin: string; verifierKey: string }>('/api/audit/verifier-key');
    expect(response.status).toBe(200);
    key = independentKey(response.body.verifierKey);
    expect(key.name).toBe(response.body.origin);

    // 25 checkpoints over about 1,500 events, at irregular sizes (powers of two and not).
    const police = await organisationId(t.dataSource, 'be-police');
    const random = fc.sample(fc.integer({ min: 1, max: 120 }), { numRuns: 25, seed: 9162 });
    for (const count of random) {
      await t.dataSource.query(
        `INSERT INTO audit_event (id, actor_organisation_id, actor_role, actor_country, action, outcome, justification, request_id, ip)
         SELECT gen_random_uuid(), $1, 'officer', 'BE', 'case.list', CASE WHEN i % 5 = 0 THEN 'denied' ELSE 'allowed' END,
                CASE WHEN i % 7 = 0 THEN 'ünïcødé ✓ 𝄞 "quoted" \\ back' END, 'bulk-' || i, '192.0.2.' || (i % 250)
           FROM generate_series(1, $2) AS i`,
        [police, count],
      );
      const checkpoint = await sequencer.catchUp();
      const opened = key.check(checkpoint!.note);
      expect(opened).toBeDefined();
      checkpoints.push({ size: opened!.size, root: opened!.root });
    }
    expect(checkpoints[checkpoints.length - 1]!.size).toBeGreaterThanOrEqual(1_000);
  });
  afterAll(async () => {
    await sequencer.onApplicationShutdown();
    await t.close();
  });

  it('serves the newest checkpoint as a signed note that the verifier key opens', async () => {
    const response = await t.get('/api/audit/checkpoint', supervisor);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const opened = key.check(response.text);
    expect(opened).toMatchObject({ origin: key.name, size: checkpoints[checkpoints.length - 1]!.size });
    // One flipped character and the signature no longer holds.
    expect(key.check(response.text.replace(/\n(\d+)\n/, (_match, size: string) => `\n${Number(size) + 1}\n`))).toBeUndefined();
  });

  it('proves the inclusion of 1,000 random events', async () => {
    const newest = checkpoints[checkpoints.length - 1]!;
    const events: Array<{ event_id: string; log_index: string }> = await t.dataSource.query(
      `SELECT event_id, log_index::text FROM audit_log_entry WHERE log_index < $1 ORDER BY random() LIMIT 1000`,
      [newest.size],
    );
    expect(events).toHaveLength(1_000);
    // Twenty at a time: the requests are independent, and the database can overlap them.
    for (let start = 0; start < events.length; start += 20) {
      await Promise.all(
        events.slice(start, start + 20).map(async (event) => {
          const response = await t.get<Proof>(`/api/audit/events/${event.event_id}/proof`, supervisor);
          expect(response.status).toBe(200);
          const proof = response.body;
          const signed = key.check(proof.checkpoint);
          expect(signed).toEqual({ origin: key.name, size: proof.treeSize, root: newest.root });
          expect(proof.leafIndex).toBe(Number(event.log_index));
          const entry = Buffer.from(proof.entry, 'base64');
          expect((JSON.parse(entry.toString('utf8')) as { id: string }).id).toBe(event.event_id);
          const root = rootFromInclusionPath(
            rfcLeafHash(entry),
            proof.leafIndex,
            proof.treeSize,
            proof.inclusionPath.map((hash) => Buffer.from(hash, 'base64')),
          );
          expect(root?.equals(signed!.root)).toBe(true);
        }),
      );
    }
  });

  it('proves consistency between 20 pairs of signed checkpoints', async () => {
    const pairs = fc.sample(fc.tuple(fc.integer({ min: 0, max: checkpoints.length - 1 }), fc.integer({ min: 0, max: checkpoints.length - 1 })), {
      numRuns: 20,
      seed: 6962,
    });
    for (const [a, b] of pairs) {
      const [older, newer] = [checkpoints[Math.min(a, b)]!, checkpoints[Math.max(a, b)]!];
      const response = await t.get<{ from: number; to: number; proof: string[] }>(`/api/audit/consistency?from=${older.size}&to=${newer.size}`, supervisor);
      expect(response.status).toBe(200);
      const proof = response.body.proof.map((hash) => Buffer.from(hash, 'base64'));
      expect(checkConsistency(older.size, newer.size, proof, older.root, newer.root)).toBe(true);
      // The same proof must not vouch for a wrong old root (only equal sizes share their root).
      expect(older.size === newer.size || !checkConsistency(older.size, newer.size, proof, newer.root, newer.root)).toBe(true);
    }
  });

  it('answers 409 for an event not yet in a checkpoint, 404 outside the scope, 400 for bad sizes', async () => {
    await t.app.get(AuditService).recordNow({ action: AuditAction.Login, outcome: 'allowed', meta: { requestId: 'fresh', ip: '192.0.2.1' } });
    const fresh: Array<{ id: string }> = await t.dataSource.query(`SELECT id FROM audit_event WHERE request_id = 'fresh'`);
    const police = await organisationId(t.dataSource, 'be-police');
    expectProblem(await t.get(`/api/audit/events/${fresh[0]!.id}/proof`, supervisor), 404);
    const own: Array<{ id: string }> = await t.dataSource.query(
      `INSERT INTO audit_event (id, actor_organisation_id, action, outcome) VALUES (gen_random_uuid(), $1, 'case.list', 'allowed') RETURNING id`,
      [police],
    );
    expectProblem(await t.get(`/api/audit/events/${own[0]!.id}/proof`, supervisor), 409);
    const newest = checkpoints[checkpoints.length - 1]!.size;
    expectProblem(await t.get(`/api/audit/consistency?from=5&to=${newest + 10_000}`, supervisor), 409);
    expectProblem(await t.get(`/api/audit/consistency?from=7&to=3`, supervisor), 400);
    expectProblem(await t.get(`/api/audit/consistency?from=0&to=3`, supervisor), 400);
    expectProblem(await t.get(`/api/audit/checkpoint`, await t.login('officer@be-police.test')), 403);
  });
});

describe('requests that used to poison the audit trail', () => {
  let t: TestApp;
  let sequencer: AuditSequencer;

  beforeAll(async () => {
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('audit_poison') });
    sequencer = new AuditSequencer(t.dataSource, t.config, new AuditWitness(t.config));
  });
  afterAll(async () => {
    await sequencer.onApplicationShutdown();
    await t.close();
  });

  const verified = async (): Promise<Verification> => {
    await sequencer.catchUp();
    const response = await t.get<Verification>('/api/audit/verify', await t.login('supervisor@be-police.test'));
    expect(response.status).toBe(200);
    return response.body;
  };

  it('leaves a log that verifies after upper-case UUIDs in a path and a query, and a lone surrogate in a justification', async () => {
    const officer = await t.login('officer@be-police.test');
    const supervisor = await t.login('supervisor@be-police.test');
    const created = await createCase(t, officer);
    const upper = created.id.toUpperCase();
    expect((await t.get(`/api/cases/${upper}`, officer)).status).toBe(200);
    expect((await t.get(`/api/audit/events?caseId=${upper}`, supervisor)).status).toBe(200);
    expect((await t.get(`/api/cases/${upper}/access-log`, supervisor)).status).toBe(200);
    const breakGlass = await t.post(
      `/api/cases/${created.id}/break-glass`,
      { justification: 'Night admission, identity needed now \ud800 (lone surrogate)' },
      await t.login('prosecutor@be-prosecution.test'),
    );
    // Rejected by the validation layer or stored with U+FFFD: either way the log must hold.
    expect([201, 400]).toContain(breakGlass.status);
    const result = await verified();
    expect(result).toMatchObject({ valid: true, breaks: [] });
    expect(result.checked).toBeGreaterThanOrEqual(5);
    const stored: Array<{ case_id: string }> = await t.dataSource.query(`SELECT DISTINCT case_id::text FROM audit_event WHERE case_id IS NOT NULL`);
    expect(stored).toEqual([{ case_id: created.id }]);
  });

  it('hashes whatever the database stores, for any string a caller can send (property)', async () => {
    const audit = t.app.get(AuditService);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 40 }).filter((value) => !value.includes('\u0000')),
        fc.string({ unit: 'binary', maxLength: 20 }).filter((value) => !value.includes('\u0000')),
        async (justification, requestId) => {
          await audit.recordNow({ action: AuditAction.BreakGlass, outcome: 'allowed', justification, meta: { requestId, ip: '192.0.2.77' } });
        },
      ),
      { numRuns: 60, seed: 12 },
    );
    // A NUL cannot be stored at all: the event fails closed, and nothing half-written remains.
    await expect(audit.recordNow({ action: AuditAction.BreakGlass, outcome: 'allowed', justification: 'nul \u0000 here' })).rejects.toMatchObject({
      statusCode: 503,
    });
    expect(await verified()).toMatchObject({ valid: true, breaks: [] });
  });
});
