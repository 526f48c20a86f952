import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { Sealer } from '../src/common/crypto';
import { migrate } from '../src/database/migrate';
import { seedDemoData } from '../src/seed/demo-data';
import { type AppLaunch, type BenchProcess, startApiProcess } from './api-processes';
import type { BaselineScript, ScriptRoute } from './baseline-script';
import { createBenchDatabase, dropBenchDatabase, withClient } from './database';
import { renderLatest, type Latest, type Measured, type ProfiledRun, type ScenarioResult } from './latest';
import type { LoadRun, LoadSpec, ScenarioInputs, ScenarioName } from './load-child';
import { describeMachine } from './machine';
import { measureNotifications } from './notifications';
import { type Capture, compileRoute, masked, send, takeCaptured, type BenchRequest } from './physical';
import { summariseProfile } from './profile';
import { cursorAfter, listQueryOf, visibleCount } from './query-plans';
import { Random } from './random';
import { loadDirectory, seedCases } from './seed-cases';
import { benchAppConfig, benchSecrets, type BenchSettings } from './settings';

type Log = (line: string) => void;
type Defer = (cleanup: () => Promise<void>) => void;

const SCENARIOS: ScenarioName[] = ['list', 'list_deep', 'read', 'update', 'accept', 'audit_query', 'journey'];
const SECTION = 'investigation';
const SECTION_DATA = { statementSummary: 'Bench edit: recruited through an online job offer.' };
const CASE_ID = '(?<caseId>[0-9a-f-]{36})';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login ${email} answered ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** Forks bench/load-child.js for one run and returns its figures. */
function load(spec: LoadSpec): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'load-child.js'), [], {
      env: { ...process.env, BENCH_LOAD_SPEC: JSON.stringify(spec) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: LoadRun | undefined;
    child.on('message', (message) => (result = message as LoadRun));
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`load-child exited with ${code}`))));
  });
}

function startBaseline(script: BaselineScript, databaseUrl: string, dir: string, cpuProfileDir?: string): Promise<BenchProcess> {
  const path = join(dir, 'baseline-script.json');
  writeFileSync(path, JSON.stringify(script));
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'baseline-server.js'), [], {
      env: { ...process.env, BENCH_BASELINE_SCRIPT: path, BENCH_BASELINE_DATABASE_URL: databaseUrl },
      execArgv: cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', reject);
    child.once('message', (message: { url: string }) =>
      resolve({
        url: message.url,
        pid: child.pid!,
        child,
        close: async () => {
          if (child.exitCode === null) child.send('close');
          await exited;
        },
      }),
    );
  });
}

/** Peak resident set of a process while `during` runs, sampled from /proc every 200 ms (MB). */
async function peakRss<T>(pid: number, during: Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = 0;
  const sample = (): void => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // Not Linux, or the process is gone: no figure.
    }
  };
  sample();
  const timer = setInterval(sample, 200);
  try {
    return { result: await during, peakMb: Math.round(peak) };
  } finally {
    clearInterval(timer);
  }
}

/** Versions of the updated section, read before each run (the other server's run moved them on). */
async function versionsOf(client: Client, ids: string[]): Promise<Array<{ id: string; version: number }>> {
  const rows = await client.query<{ case_id: string; version: number }>(
    `SELECT case_id, version FROM case_section WHERE case_id = ANY($1::uuid[]) AND section = $2`,
    [ids, SECTION],
  );
  const byId = new Map(rows.rows.map((row) => [row.case_id, row.version]));
  return ids.map((id) => ({ id, version: byId.get(id)! }));
}

/** Sends `request` after a warm-up one (so the principal is cached as in steady state) and records what Passage sent. */
async function capture(api: BenchProcess, request: BenchRequest, slots: Capture['slots'], warm?: BenchRequest): Promise<Capture> {
  await send(api.url!, warm ?? request);
  await takeCaptured(api);
  const at = Date.now();
  const answer = await send(api.url!, request);
  const statements = await takeCaptured(api);
  return { slots, statements, answer, at };
}

export interface PhysicalRunOptions {
  settings: BenchSettings;
  log: Log;
  defer: Defer;
}

/**
 * `npm run bench`: Passage against its physical limit (issue 13). Seeds a database, captures the
 * statements Passage sends for each scenario, starts the baseline server replaying them, checks
 * both answer the same bytes, loads both alternately round by round from a load process, profiles
 * the API, measures the scale curve and the notifications, and writes latest.json and REPORT.md.
 */
export async function runPhysical({ settings, log, defer }: PhysicalRunOptions): Promise<Latest> {
  const database = await createBenchDatabase(settings.postgresUrl);
  const redisPrefix = `bench:${randomBytes(4).toString('hex')}`;
  defer(async () => {
    if (settings.keepDatabase) log(`kept database ${database.name} (BENCH_KEEP_DB)`);
    else await dropBenchDatabase(settings.postgresUrl, database.name);
  });
  defer(async () => {
    // The API processes' keys (rate limit) under this run's prefix.
    const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });
  const workDir = mkdtempSync(join(tmpdir(), 'passage-bench-'));
  defer(() => Promise.resolve(rmSync(workDir, { recursive: true, force: true })));
  const appEnv = { ...benchSecrets(), AUDIT_WITNESS_DIR: workDir };
  const config = benchAppConfig(database.url, settings.redisUrl, redisPrefix, appEnv);
  const sealer = new Sealer(config.encryptionKeys);
  const launch: AppLaunch = { databaseUrl: database.url, redisUrl: settings.redisUrl, redisPrefix, appEnv };
  const password = randomBytes(12).toString('base64url');
  log(`database ${database.name}: migrating, demo data, ${settings.cases.toLocaleString('en')} cases`);
  await migrate(database.url);
  await seedDemoData(database.url, password);

  return withClient(database.url, async (client) => {
    const machine = await describeMachine(client, settings.redisUrl);
    const directory = await loadDirectory(client);
    const random = new Random(settings.seed);
    await seedCases(client, directory, sealer, random, settings.cases, log);
    await client.query(`VACUUM (ANALYZE) "case", case_section, participation, consent, break_glass_grant`);
    let seeded = settings.cases;

    // 1. Capture what Passage sends, with the API recording every statement of its pg clients.
    const recording = await startApiProcess(launch, 'audited', { capture: true });
    const url = recording.url!;
    const officerToken = await login(url, 'officer@be-police.test', password);
    const supervisorToken = await login(url, 'supervisor@be-police.test', password);
    const acceptorToken = await login(url, 'prosecutor@be-prosecution.test', password);
    const orgs = await client.query<{ slug: string; id: string }>(`SELECT slug, id FROM organisation WHERE slug IN ('be-police', 'be-prosecution')`);
    const police = orgs.rows.find((o) => o.slug === 'be-police')!.id;
    const prosecution = orgs.rows.find((o) => o.slug === 'be-prosecution')!.id;

    const listPath = '/api/cases?limit=25';
    const list = await capture(recording, { method: 'GET', path: listPath, token: officerToken }, {});
    const firstItems = (JSON.parse(list.answer.body) as { items: Array<{ id: string }> }).items;
    if (list.answer.status !== 200 || firstItems.length === 0) throw new Error(`the first page answered ${list.answer.status}`);
    const listQuery = listQueryOf(list.statements.map((s) => ({ sql: s.text, parameters: s.values })));
    const visible = await visibleCount(client, listQuery);
    const depth = Math.max(26, Math.floor(visible * 0.9));
    const deepPath = `${listPath}&cursor=${await cursorAfter(client, listQuery, depth)}`;
    const deep = await capture(recording, { method: 'GET', path: deepPath, token: officerToken }, {});
    const deepItems = (JSON.parse(deep.answer.body) as { items: Array<{ id: string }> }).items;
    const readCaseId = firstItems[0]!.id;
    log(`officer@be-police.test sees ${visible.toLocaleString('en')} cases; deep page after ${depth.toLocaleString('en')}`);

    // Cases the mutating scenarios use once each (accept) or per connection (update): never one the list or read pages show.
    const shown = [...firstItems, ...deepItems].map((item) => item.id);
    const pool = await client.query<{ id: string }>(
      `SELECT c.id FROM "case" c WHERE c.lead_organisation_id = $1 AND c.status = 'open' AND c.id <> ALL($2::uuid[])
          AND NOT EXISTS (SELECT 1 FROM participation p WHERE p.case_id = c.id AND p.organisation_id = $3)
        ORDER BY c.id LIMIT 50000`,
      [police, shown, prosecution],
    );
    const ids = pool.rows.map((row) => row.id);
    const updateCases = ids.splice(0, 2 * settings.connections);
    const [captureA, captureB, checkPassage, checkBaseline] = ids.splice(0, 4);
    const acceptCases = ids;
    if (!checkBaseline || acceptCases.length < 100) throw new Error(`only ${pool.rows.length} open cases of be-police to mutate: raise BENCH_CASES`);

    const read = (id: string): BenchRequest => ({ method: 'GET', path: `/api/cases/${id}`, token: officerToken });
    const readA = await capture(recording, read(readCaseId), { caseId: readCaseId });
    const readB = await capture(recording, read(readCaseId), { caseId: readCaseId });
    const audit: BenchRequest = { method: 'GET', path: '/api/audit/events?limit=25', token: supervisorToken };
    // A full page of events first, so the captured page has the size every later one has.
    for (let i = 0; i < 25; i += 1) await send(url, { method: 'GET', path: listPath, token: officerToken });
    const auditA = await capture(recording, audit, {});
    const auditB = await capture(recording, audit, {});
    const listB = await capture(recording, { method: 'GET', path: listPath, token: officerToken }, {});
    const deepB = await capture(recording, { method: 'GET', path: deepPath, token: officerToken }, {});
    // Two updates at different versions of different cases, so versions and ids tell themselves apart.
    const patch = (id: string, version: number): BenchRequest => ({
      method: 'PATCH',
      path: `/api/cases/${id}/sections/${SECTION}`,
      token: officerToken,
      body: { version, data: SECTION_DATA },
    });
    await send(url, patch(captureA!, 1));
    const updateA = await capture(recording, patch(captureA!, 2), { caseId: captureA!, version: 2 }, read(captureA!));
    const updateB = await capture(recording, patch(captureB!, 1), { caseId: captureB!, version: 1 }, read(captureB!));
    const refer = (id: string): BenchRequest => ({
      method: 'POST',
      path: `/api/cases/${id}/referrals`,
      token: officerToken,
      body: { toOrganisationId: prosecution, purpose: 'prosecution', urgency: 'routine' },
    });
    const accept = (id: string): BenchRequest => ({ method: 'POST', path: `/api/referrals/${id}/accept`, token: acceptorToken });
    const warmAcceptor: BenchRequest = { method: 'GET', path: '/api/referrals?direction=incoming&limit=1', token: acceptorToken };
    const referA = await capture(recording, refer(captureA!), { caseId: captureA! }, read(captureA!));
    const referB = await capture(recording, refer(captureB!), { caseId: captureB! }, read(captureB!));
    const idOf = (c: Capture): string => (JSON.parse(c.answer.body) as { id: string }).id;
    const acceptA = await capture(recording, accept(idOf(referA)), { referralId: idOf(referA) }, warmAcceptor);
    const acceptB = await capture(recording, accept(idOf(referB)), { referralId: idOf(referB) }, warmAcceptor);
    await recording.close();
    for (const c of [list, listB, deep, deepB, readA, readB, auditA, auditB, updateA, updateB, referA, referB, acceptA, acceptB]) {
      if (c.answer.status >= 300) throw new Error(`a captured request answered ${c.answer.status}: ${c.answer.body.slice(0, 200)}`);
    }
    const open = (ciphertext: Buffer, caseId: string, section: string): string | undefined => {
      try {
        return sealer.open({ keyId: sealer.currentKeyId, ciphertext }, `case:${caseId}:section:${section}`).toString('utf8');
      } catch {
        return undefined;
      }
    };
    const routes: ScriptRoute[] = [
      compileRoute('list', 'GET', `^${escape(listPath)}$`, [list, listB], open),
      compileRoute('list_deep', 'GET', `^${escape(deepPath)}$`, [deep, deepB], open),
      compileRoute('read', 'GET', `^/api/cases/${CASE_ID}$`, [readA, readB], open, { caseSlot: 'caseId' }),
      compileRoute('audit_query', 'GET', '^/api/audit/events\\?limit=25$', [auditA, auditB], open),
      compileRoute('update', 'PATCH', `^/api/cases/${CASE_ID}/sections/${SECTION}$`, [updateA, updateB], open, {
        bodySlots: { version: 'version' },
        caseSlot: 'caseId',
        section: SECTION,
        merge: true,
      }),
      compileRoute('referral_create', 'POST', `^/api/cases/${CASE_ID}/referrals$`, [referA, referB], open, { caseSlot: 'caseId' }),
      compileRoute('referral_accept', 'POST', '^/api/referrals/(?<referralId>[0-9a-f-]{36})/accept$', [acceptA, acceptB], open),
    ];
    const statementCounts = Object.fromEntries(routes.map((route) => [route.name, route.statements.length]));
    log(`captured statements per request: ${JSON.stringify(statementCounts)}`);

    const script: BaselineScript = {
      jwtSecret: config.jwtSecret.toString('base64'),
      keys: config.encryptionKeys.map((k) => ({ id: k.id, key: k.key.toString('base64') })),
      poolMax: 20,
      routes,
    };
    const baseline = await startBaseline(script, database.url, workDir);
    defer(() => baseline.close());
    const passage = await startApiProcess(launch, 'audited');
    defer(() => passage.close());
    const apiRssIdleMb = (await peakRss(passage.pid, Promise.resolve())).peakMb;

    // 2. Self-check: the baseline answers what Passage answers (exactly for reads; ids, times and versions masked for writes).
    const checks: Latest['selfCheck'] = [];
    type Mode = 'bytes' | 'masked' | 'page';
    const how: Record<Mode, string> = {
      bytes: 'bytes',
      masked: 'bytes with ids, times, versions and case references masked',
      // Every request adds an event, so the page moves on between capture and check: its own newest event and its shape are compared.
      page: 'the newest item (this request’s own event) masked, and the number of items',
    };
    const shape = (body: string): string => {
      const items = (JSON.parse(body) as { items: Array<Record<string, unknown>> }).items;
      return JSON.stringify([masked(JSON.stringify(items[0])), items.length]);
    };
    const compare = async (name: string, mode: Mode, toPassage: BenchRequest, toBaseline: BenchRequest): Promise<[string, string]> => {
      const p = await send(passage.url!, toPassage);
      const b = await send(baseline.url!, toBaseline);
      const view = mode === 'bytes' ? (body: string) => body : mode === 'masked' ? masked : shape;
      const same = p.status === b.status && view(p.body) === view(b.body);
      checks.push({ request: name, identical: same, compared: how[mode] });
      if (!same)
        throw new Error(
          `self-check ${name} (${how[mode]}): Passage answered ${p.status} ${view(p.body).slice(0, 600)}\nbaseline answered ${b.status} ${view(b.body).slice(0, 600)}`,
        );
      return [p.body, b.body];
    };
    await compare('list', 'bytes', { method: 'GET', path: listPath, token: officerToken }, { method: 'GET', path: listPath, token: officerToken });
    await compare('list_deep', 'bytes', { method: 'GET', path: deepPath, token: officerToken }, { method: 'GET', path: deepPath, token: officerToken });
    await compare('read', 'bytes', read(readCaseId), read(readCaseId));
    await compare('audit_query', 'page', audit, audit);
    // The same case, updated by Passage and then by the baseline: the same section with the same data merged in.
    const [before] = await versionsOf(client, [checkPassage!]);
    await compare('update', 'masked', patch(before!.id, before!.version), patch(before!.id, before!.version + 1));
    const [createdP, createdB] = await compare('referral_create', 'masked', refer(checkPassage!), refer(checkBaseline!));
    await compare('referral_accept', 'masked', accept(JSON.parse(createdP).id as string), accept(JSON.parse(createdB).id as string));
    log(`self-check: ${checks.length} requests answered alike by Passage and the baseline`);

    // 3. Alternating rounds.
    const inputs: Omit<ScenarioInputs, 'updateCases' | 'acceptOffset'> = {
      officerToken,
      supervisorToken,
      acceptorToken,
      listPath,
      deepPath,
      readCaseId,
      section: SECTION,
      sectionData: SECTION_DATA,
      acceptCases,
      acceptTo: prosecution,
      acceptPurpose: 'prosecution',
    };
    let acceptOffset = 0;
    let apiRssMb = 0;
    const runs = new Map<string, LoadRun[]>();
    const run = async (scenario: ScenarioName, target: 'passage' | 'baseline', server: BenchProcess): Promise<LoadRun> => {
      const spec: LoadSpec = {
        url: server.url!,
        scenario,
        connections: settings.connections,
        durationSeconds: settings.durationSeconds,
        warmupSeconds: settings.warmupSeconds,
        inputs: { ...inputs, updateCases: await versionsOf(client, updateCases), acceptOffset },
      };
      const { result, peakMb } = await peakRss(server.pid, load(spec));
      if (target === 'passage') apiRssMb = Math.max(apiRssMb, peakMb);
      acceptOffset += result.acceptUsed;
      const key = `${scenario}:${target}`;
      runs.set(key, [...(runs.get(key) ?? []), result]);
      log(
        `  ${scenario} ${target}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms${result.non2xx + result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}`,
      );
      return result;
    };
    for (let round = 0; round < settings.rounds; round += 1) {
      log(`round ${round + 1} of ${settings.rounds}`);
      for (const scenario of SCENARIOS) {
        if (round % 2 === 0) {
          await run(scenario, 'passage', passage);
          await run(scenario, 'baseline', baseline);
        } else {
          await run(scenario, 'baseline', baseline);
          await run(scenario, 'passage', passage);
        }
      }
    }
    if (acceptOffset > acceptCases.length) log(`accept used ${acceptOffset} cases of a pool of ${acceptCases.length}: later requests answered 409`);
    const summary = (list: LoadRun[]): Measured & { non2xx: number } => ({
      rps: Math.round(median(list.map((r) => r.rps))),
      p50Ms: median(list.map((r) => r.p50Ms)),
      p99Ms: median(list.map((r) => r.p99Ms)),
      non2xx: list.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
    });
    const scenarios: ScenarioResult[] = SCENARIOS.map((name) => {
      const { non2xx: passageFailures, ...p } = summary(runs.get(`${name}:passage`)!);
      const { non2xx: baselineFailures, ...b } = summary(runs.get(`${name}:baseline`)!);
      return {
        name,
        passage: p,
        baseline: b,
        throughputRatio: Math.round((p.rps / b.rps) * 100) / 100,
        p99Ratio: Math.round((p.p99Ms / b.p99Ms) * 100) / 100,
        failures: { passage: passageFailures, baseline: baselineFailures },
      };
    });
    await passage.close();
    await baseline.close();

    // 4. CPU profiles under the read and list load: the API, then the baseline for comparison (CPU per request).
    const profileRoot = join(settings.outDir, 'profile');
    rmSync(profileRoot, { recursive: true, force: true });
    const profileOf = async (name: string, start: (dir: string) => Promise<BenchProcess>): Promise<ProfiledRun> => {
      const dir = join(profileRoot, name);
      mkdirSync(dir, { recursive: true });
      const forkedAt = Date.now();
      const server = await start(dir);
      const skipMs = Date.now() - forkedAt;
      let requests = 0;
      // No separate warm-up: every request the profile holds is counted, JIT warm-up included on both sides.
      for (const scenario of ['read', 'list'] as const) {
        const at = { url: server.url!, scenario, connections: settings.connections, warmupSeconds: 0 };
        requests += (
          await load({ ...at, durationSeconds: settings.durationSeconds + settings.warmupSeconds, inputs: { ...inputs, updateCases: [], acceptOffset } })
        ).requests;
      }
      await server.close();
      const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
      if (!file) throw new Error(`the profiled ${name} wrote no .cpuprofile into ${dir}`);
      const summary = summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), 15, skipMs);
      log(`profile of ${name}: ${join(dir, file)}, ${requests} requests, ${((summary.totalMs * 1000) / requests).toFixed(0)} µs of CPU per request`);
      return { file: join(dir, file), startUpMsSkipped: skipMs, requests, ...summary };
    };
    const profile = await profileOf('passage', (dir) => startApiProcess(launch, 'audited', { cpuProfileDir: dir }));
    const baselineProfile = await profileOf('baseline', (dir) => startBaseline(script, database.url, workDir, dir));

    // 5. Scale curve: list and read p99 as the case table grows (seeded on top of what is there).
    const scale: Latest['scale'] = [];
    for (const step of settings.scaleSteps) {
      if (step > seeded) {
        log(`scale: seeding up to ${step.toLocaleString('en')} cases`);
        await seedCases(client, directory, sealer, random, step - seeded, log);
        await client.query(`VACUUM (ANALYZE) "case", case_section, participation, consent, break_glass_grant`);
        seeded = step;
      }
      const api = await startApiProcess(launch, 'audited');
      try {
        const at = { url: api.url!, connections: settings.connections, durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds };
        const listRun = await load({ ...at, scenario: 'list', inputs: { ...inputs, updateCases: [], acceptOffset } });
        const readRun = await load({ ...at, scenario: 'read', inputs: { ...inputs, updateCases: [], acceptOffset } });
        scale.push({ cases: seeded, listP99Ms: listRun.p99Ms, readP99Ms: readRun.p99Ms });
        log(`scale ${seeded.toLocaleString('en')} cases: list p99 ${listRun.p99Ms} ms, read p99 ${readRun.p99Ms} ms`);
      } finally {
        await api.close();
      }
    }

    // 6. Notifications (a database of its own).
    const notified = await measureNotifications(settings, log, defer);
    const one = notified.throughput.find((t) => t.workers === 1);
    return {
      machine: {
        ...machine,
        connections: settings.connections,
        durationSeconds: settings.durationSeconds,
        warmupSeconds: settings.warmupSeconds,
        rounds: settings.rounds,
        cases: settings.cases,
      },
      scenarios,
      scale,
      notifications: {
        rate: notified.latency.targetRate,
        p50Ms: notified.latency.latencyMs.p50,
        p99Ms: notified.latency.latencyMs.p99,
        perSecond: Math.round(one?.notificationsPerSecond ?? 0),
      },
      apiRssMb,
      apiRssIdleMb,
      selfCheck: checks,
      statementsPerRequest: statementCounts,
      profile,
      baselineProfile,
    };
  });
}

export function writeLatest(outDir: string, latest: Latest): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(latest, null, 2)}\n`);
  writeFileSync(join(outDir, 'REPORT.md'), renderLatest(latest));
}
