import fc from 'fast-check';
import { TestApp } from '../support/app';
import { isolatedDatabaseUrl } from '../support/database';
import { createCase, organisationId, userId } from '../support/factories';
import { LEAKS } from '../support/problem';
import { type Fixtures, type FuzzRequest, type OpenApiDocument, type Operation, operationsOf, RequestGenerator } from './operations';

/**
 * Every operation of the OpenAPI document, driven with generated hostile input (issue 14,
 * "Hostile input at scale"). Each answer must be a status the document or the error contract
 * names, never a 5xx; every error is problem+json without internals; and a refused request
 * leaves the database as it was.
 *
 * `npm test` runs a sample (FUZZ_REQUESTS, default 200 in all); `npm run test:fuzz` runs
 * FUZZ_REQUESTS_PER_OPERATION (5,000) for every operation.
 */
const PER_OPERATION = Number(process.env.FUZZ_REQUESTS_PER_OPERATION ?? 0);
const SAMPLE_TOTAL = Number(process.env.FUZZ_REQUESTS ?? 200);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

/**
 * Error statuses allowed on every operation besides those its OpenAPI entry lists: API.md's
 * error table (the contract every route follows: 400 malformed or unknown field, 401 token,
 * 403 / 404 access, 409 state, 422 business rule, 429 rate limit), and the transport's own
 * refusals of a body too large (413), a path segment too long (414) or a body of the wrong type (415).
 */
const CONTRACT_STATUSES = [400, 403, 404, 409, 413, 414, 415, 422, 429];

/** Tables refused requests may write by design: the audit trail (denials are audited) and login failures (the lockout counts them). */
const WRITTEN_WHEN_REFUSED = new Set(['audit_event', 'audit_chain_head', 'audit_checkpoint', 'login_failure', 'schema_migrations']);

/** Table names are internals too: none may appear in an answer. */
function tableLeak(tables: string[]): RegExp {
  return new RegExp(`\\b(${tables.filter((name) => name.includes('_')).join('|')})\\b`);
}

interface Actor {
  email: string;
  token: string;
}

const ACTOR_EMAILS = [
  'officer@be-police.test',
  'officer2@be-police.test',
  'caseworker@be-shelter-antwerp.test',
  'prosecutor@be-prosecution.test',
  'migration-officer@be-migration.test',
  'supervisor@be-oversight.test',
  'supervisor@be-police.test',
  'admin@be-police.test',
  'admin@platform.test',
];

describe('hostile input at scale (every OpenAPI operation)', () => {
  let t: TestApp;
  let operations: Operation[] = [];
  let generator: RequestGenerator;
  let leakOfTables: RegExp;
  const actors: Actor[] = [];

  /**
   * Every committed row change of a watched table appends to fuzz_change, so "did this request
   * change anything" is one index lookup instead of hashing every table after every request
   * (which grew with the rows the successful requests created and made a full run take hours).
   * Ids come from a sequence, so a change committed after a reading always raises the maximum;
   * a rolled-back change leaves no row, as it leaves no data. Updates count only when a value
   * differs, like the row hash this replaces.
   */
  async function recordChanges(watched: string[]): Promise<void> {
    await t.dataSource.query(`CREATE TABLE fuzz_change (id bigserial PRIMARY KEY, table_name text NOT NULL)`);
    await t.dataSource.query(
      `CREATE FUNCTION fuzz_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO fuzz_change (table_name) VALUES (TG_TABLE_NAME); RETURN NULL; END $$`,
    );
    for (const table of watched) {
      await t.dataSource.query(`CREATE TRIGGER fuzz_change_row AFTER INSERT OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION fuzz_record_change()`);
      await t.dataSource.query(
        `CREATE TRIGGER fuzz_change_update AFTER UPDATE ON "${table}" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION fuzz_record_change()`,
      );
      await t.dataSource.query(`CREATE TRIGGER fuzz_change_truncate AFTER TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION fuzz_record_change()`);
    }
  }

  async function fingerprint(): Promise<string> {
    const rows: Array<{ last: string | null }> = await t.dataSource.query(`SELECT max(id) AS last FROM fuzz_change`);
    return rows[0]?.last ?? '0';
  }

  async function login(email: string): Promise<string> {
    return t.login(email);
  }

  beforeAll(async () => {
    t = await TestApp.start({ DATABASE_URL: await isolatedDatabaseUrl('fuzz') });
    const document = (await t.get<OpenApiDocument>('/docs-json')).body;
    operations = operationsOf(document);

    for (const email of ACTOR_EMAILS) actors.push({ email, token: await login(email) });
    const token = (email: string) => actors.find((actor) => actor.email === email)!.token;

    // Real targets, so that generated requests reach validation and the rules behind "not found".
    const open = await createCase(t, token('officer@be-police.test'));
    const closed = await createCase(t, token('officer@be-police.test'));
    expect((await t.post(`/api/cases/${closed.id}/close`, { reason: 'other' }, token('officer@be-police.test'))).status).toBe(200);
    const shelter = await organisationId(t.dataSource, 'be-shelter-antwerp');
    const referral = await t.post<{ id: string }>(
      `/api/cases/${open.id}/referrals`,
      {
        toOrganisationId: shelter,
        purpose: 'shelter',
        urgency: 'urgent',
        consent: { given: true, by: 'victim', recordedAt: new Date(Date.now() - 60_000).toISOString() },
      },
      token('officer@be-police.test'),
    );
    expect(referral.status).toBe(201);
    const grant = await t.post<{ id: string }>(
      `/api/cases/${open.id}/break-glass`,
      { justification: 'Fuzz fixture: an emergency access to review' },
      token('migration-officer@be-migration.test'),
    );
    expect(grant.status).toBe(201);
    // A user and an organisation of their own, so that generated admin changes never lock the actors out.
    const target = await t.post<{ id: string }>(
      '/api/users',
      { email: 'fuzz-target@be-police.test', name: 'Fuzz Target', role: 'officer', password: 'fuzz-target-password-2026' },
      token('admin@be-police.test'),
    );
    expect(target.status).toBe(201);
    const organisation = await t.post<{ organisation?: { id: string }; id?: string }>(
      '/api/organisations',
      {
        slug: 'fuzz-target',
        name: 'Fuzz Target Shelter',
        type: 'reception_centre',
        country: 'BE',
        bedsTotal: 2,
        acceptsMinors: false,
        admin: { email: 'admin@fuzz-target.test', name: 'Fuzz Admin', password: 'fuzz-admin-password-2026' },
      },
      token('admin@platform.test'),
    );
    expect(organisation.status).toBe(201);
    const targetOrganisation = await organisationId(t.dataSource, 'fuzz-target');
    const bePolice = await organisationId(t.dataSource, 'be-police');
    const webhook = await t.post<{ id: string }>(
      `/api/organisations/${bePolice}/webhooks`,
      { url: 'https://hooks.example.org/passage', events: ['case.closed'] },
      token('admin@be-police.test'),
    );
    const webhookIds = webhook.status === 201 ? [webhook.body.id] : [];
    const officer = await userId(t.dataSource, 'officer@be-police.test');
    const fixtures: Fixtures = {
      actorCount: actors.length,
      ids: {
        id: [open.id, closed.id, referral.body.id, grant.body.id, target.body.id, targetOrganisation],
        caseId: [open.id, closed.id],
        organisationId: [bePolice, shelter, targetOrganisation],
        toOrganisationId: [shelter, targetOrganisation],
        actorId: [officer],
        webhookId: webhookIds,
      },
    };
    generator = new RequestGenerator(document, fixtures);

    const tables: Array<{ table_name: string }> = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    leakOfTables = tableLeak(tables.map((table) => table.table_name));
    await recordChanges(tables.map((table) => table.table_name).filter((name) => !WRITTEN_WHEN_REFUSED.has(name)));
    // The detector must see a real change and ignore an update that changes nothing.
    const quiet = await fingerprint();
    await t.dataSource.query(`UPDATE organisation SET name = name WHERE id = $1`, [targetOrganisation]);
    expect(await fingerprint()).toBe(quiet);
    await t.dataSource.query(`UPDATE organisation SET beds_total = beds_total + 1 WHERE id = $1`, [targetOrganisation]);
    expect(await fingerprint()).not.toBe(quiet);
  }, 120_000);

  afterAll(() => t.close());

  /** A success must be one the operation documents; an error one it documents or the contract allows. */
  function allowed(operation: Operation): Set<number> {
    const statuses = new Set([...operation.documented, ...CONTRACT_STATUSES]);
    if (operation.secured) statuses.add(401);
    return statuses;
  }

  async function send(request: FuzzRequest): Promise<{ status: number; contentType: string; text: string }> {
    const headers = { ...request.headers };
    if (request.auth && 'actor' in request.auth) headers.authorization = `Bearer ${actors[request.auth.actor]!.token}`;
    if (request.auth && 'raw' in request.auth) headers.authorization = request.auth.raw;
    const response = await t.app.inject({ method: request.method as 'GET', url: request.url, headers, payload: request.payload });
    return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), text: response.body };
  }

  /** What is wrong with one answer, or null. */
  function judge(operation: Operation, answer: { status: number; contentType: string; text: string }, changed: boolean): string | null {
    if (answer.status >= 500) return `${answer.status}`;
    if (!allowed(operation).has(answer.status)) return `undocumented status ${answer.status}`;
    if (answer.status >= 400) {
      if (!answer.contentType.startsWith('application/problem+json')) return `${answer.status} as ${answer.contentType || 'no content type'}`;
      let body: { status?: unknown; type?: unknown; title?: unknown; detail?: unknown };
      try {
        body = JSON.parse(answer.text) as typeof body;
      } catch {
        return `${answer.status} with a body that is not JSON`;
      }
      if (body.status !== answer.status || typeof body.type !== 'string' || typeof body.title !== 'string' || typeof body.detail !== 'string') {
        return `${answer.status} with a malformed problem body`;
      }
      if (LEAKS.test(answer.text) || leakOfTables.test(answer.text)) return `${answer.status} leaks internals: ${answer.text.slice(0, 300)}`;
      if (changed) return `${answer.status} but the database changed`;
    }
    return null;
  }

  function describeRequest(request: FuzzRequest): string {
    const payload =
      request.payload === undefined
        ? ''
        : ` ${request.payload.length > 300 ? `${request.payload.slice(0, 300)}… (${request.payload.length} chars)` : request.payload}`;
    const auth = request.auth === null ? 'anonymous' : 'actor' in request.auth ? actors[request.auth.actor]!.email : 'broken credential';
    return `${request.method} ${request.url.slice(0, 300)} [${auth}] ${JSON.stringify(request.headers).slice(0, 200)}${payload}`;
  }

  it('answers every generated request with a documented status, problem+json without internals, and changes nothing when it refuses', async () => {
    const perOperation = PER_OPERATION > 0 ? PER_OPERATION : Math.max(1, Math.ceil(SAMPLE_TOTAL / operations.length));
    const failures: string[] = [];
    const counts = new Map<string, number>();
    let before = await fingerprint();
    let sent = 0;
    let logouts = 0;
    const timings: string[] = [];
    for (const operation of operations) {
      const started = Date.now();
      let requests = 0;
      const details = await fc.check(
        fc.asyncProperty(generator.requests(operation), async (request) => {
          requests += 1;
          const answer = await send(request);
          const after = await fingerprint();
          const changed = after !== before;
          before = after;
          // A successful logout ends the signing actor's session. Signing in again (argon2) costs
          // more than ten requests, so only every fourth logout is undone: the dead tokens in
          // between exercise the 401 path.
          if (answer.status < 300 && /^\/api\/auth\/(logout|session)$/.test(operation.path) && request.auth && 'actor' in request.auth) {
            logouts += 1;
            if (logouts % 4 === 0) {
              const actor = actors[request.auth.actor]!;
              actor.token = await login(actor.email);
              before = await fingerprint();
            }
          }
          const problem = judge(operation, answer, changed);
          if (problem) throw new Error(`${problem}\n  request: ${describeRequest(request)}`);
        }),
        { numRuns: perOperation, seed: SEED, endOnFailure: PER_OPERATION === 0, interruptAfterTimeLimit: 1_200_000 },
      );
      sent += requests;
      timings.push(`${operation.label} ${requests} in ${Date.now() - started} ms`);
      // A full run takes hours: each operation's tally is written as it ends, so a run cut short still tells how far it got.
      if (PER_OPERATION > 0)
        process.stdout.write(`fuzz: ${operation.label}: ${requests} requests in ${Date.now() - started} ms, ${details.failed ? 'FAILED' : 'ok'}\n`);
      counts.set(operation.label, details.numRuns);
      if (details.failed) {
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        failures.push(`${operation.label} (after ${details.numRuns} requests, seed ${details.seed}, path ${details.counterexamplePath}): ${error}`);
      }
    }
    if (process.env.FUZZ_TIMINGS) process.stdout.write(`${timings.join('\n')}\n`);
    process.stdout.write(
      `hostile input: ${sent} requests over ${operations.length} operations (${perOperation} generated per operation, seed ${SEED}), ${failures.length} failing operations\n`,
    );
    expect(failures).toEqual([]);
    expect(Math.min(...counts.values())).toBe(perOperation);
    // 12 hours: a full run (5,000 per operation) takes hours on a shared machine.
  }, 43_200_000);
});
