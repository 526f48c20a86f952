import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { TokenService } from '../src/auth/token.service';
import { Sealer } from '../src/common/crypto';
import type { AppConfig } from '../src/config/config';
import { migrate } from '../src/database/migrate';
import { createHttpApp } from '../src/http';
import { seedDemoData } from '../src/seed/demo-data';
import { BenchSequencer } from './audit-log';
import { auditFindings, type AuditVerifyResult, renderAuditSections } from './audit-report';
import { type AuditThroughputResult, measureAuditThroughput } from './audit-throughput';
import type { AppLaunch } from './api-processes';
import { createBenchDatabase, dropBenchDatabase, withClient } from './database';
import { measure, type LoadOptions } from './http-load';
import { describeMachine } from './machine';
import { measureNotifications, type NotificationsResult } from './notifications';
import { cursorAfter, explain, listQueryOf, type PlanSummary, QueryRecorder, visibleCount } from './query-plans';
import { Random } from './random';
import { type BenchResults, type CaseApiResult, findingsOf, notificationFindings, renderNotifications, renderReport, renderStatistics } from './report';
import { seedAuditEvents } from './seed-audit';
import { loadDirectory, seedCases } from './seed-cases';
import { benchAppConfig, benchSecrets, type BenchSettings, loadBenchSettings } from './settings';
import { measureStatistics } from './statistics';
import { measureTokenVerification, type TokenCost } from './token-cost';
import { targetsOf } from './latest';
import { runPhysical, writeLatest } from './physical-run';
import type { VerifyReport } from './verify-child';

const log = (line: string): void => {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/** The demo users the case API is measured as: a big organisation, a sparse one, and a prosecutor. */
const PERSONAS = [
  { key: 'big', email: 'officer@be-police.test', description: 'police officer, Belgium (big organisation: leads about 40% of all cases)' },
  { key: 'sparse', email: 'caseworker@lu-shelter.test', description: 'caseworker, Luxembourg shelter (sparse: live placements only)' },
  { key: 'prosecutor', email: 'prosecutor@nl-prosecution.test', description: 'prosecutor, the Netherlands (cases referred for prosecution)' },
] as const;

/** How deep into the user's list the "deep page" starts: 90% of the way down. */
const DEEP_FRACTION = 0.9;

async function getJson<T>(url: string, token: string): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login ${email} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function listen(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** Section 1: the case API against a real listening server in this process. */
async function measureHttp(
  config: AppConfig,
  databaseUrl: string,
  client: Client,
  password: string,
  settings: BenchSettings,
): Promise<{ caseApi: CaseApiResult[]; tokenCost: TokenCost }> {
  const load: LoadOptions = { durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds, connections: settings.connections };
  const app = await createHttpApp(config, databaseUrl);
  try {
    const baseUrl = await listen(app);
    log(`API listening at ${baseUrl}`);
    const tokens = new Map<string, string>();
    for (const persona of PERSONAS) tokens.set(persona.email, await login(baseUrl, persona.email, password));
    const tokenCost = await measureTokenVerification(app.get(TokenService), tokens.get(PERSONAS[0].email)!, config.jwtSecret);
    log(`token verification: ${tokenCost.applicationMicros.toFixed(0)} µs per request (${tokenCost.keyObjectMicros.toFixed(0)} µs with a KeyObject secret)`);

    // Capture each user's list statements exactly as the service builds them, then explain them.
    const recorder = new QueryRecorder(app.get<DataSource>(getDataSourceToken()));
    const prepared: Array<{
      persona: (typeof PERSONAS)[number];
      token: string;
      visible: number;
      depth: number;
      deepPath?: string;
      caseId: string;
      result: CaseApiResult;
    }> = [];
    try {
      for (const persona of PERSONAS) {
        const token = tokens.get(persona.email)!;
        recorder.take();
        const first = await getJson<{ items: Array<{ id: string }> }>(`${baseUrl}/api/cases?limit=25`, token);
        if (first.status !== 200 || first.body.items.length === 0)
          throw new Error(`${persona.email}: GET /api/cases answered ${first.status} with ${first.body.items?.length} items`);
        const firstPage = listQueryOf(recorder.take());
        const visible = await visibleCount(client, firstPage);
        const depth = Math.floor(visible * DEEP_FRACTION);
        let deepPath: string | undefined;
        let deepPlan: PlanSummary | undefined;
        if (depth > 25) {
          deepPath = `/api/cases?limit=25&cursor=${await cursorAfter(client, firstPage, depth)}`;
          const deep = await getJson<{ items: unknown[] }>(`${baseUrl}${deepPath}`, token);
          if (deep.status !== 200 || deep.body.items.length === 0) throw new Error(`${persona.email}: the deep page answered ${deep.status}`);
          deepPlan = await explain(client, listQueryOf(recorder.take()));
        }
        const caseId = first.body.items[0]!.id;
        const read = await getJson<Record<string, unknown>>(`${baseUrl}/api/cases/${caseId}`, token);
        if (read.status !== 200) throw new Error(`${persona.email}: GET /api/cases/${caseId} answered ${read.status}`);
        const sectionsRead = ['summary', 'identity', 'care', 'investigation', 'immigration'].filter((s) => s in read.body);
        const firstPlan = await explain(client, firstPage);
        log(
          `${persona.email}: ${visible} visible cases; first page ${firstPlan.executionMs.at(-1)} ms${deepPlan ? `, deep page ${deepPlan.executionMs.at(-1)} ms` : ''}`,
        );
        prepared.push({
          persona,
          token,
          visible,
          depth,
          deepPath,
          caseId,
          result: {
            key: persona.key,
            email: persona.email,
            description: persona.description,
            visibleCases: visible,
            deepPageDepth: deepPath ? depth : undefined,
            caseId,
            sectionsRead,
            listQuery: { sql: firstPage.sql, parameters: firstPage.parameters },
            plans: { firstPage: firstPlan, deepPage: deepPlan },
            runs: {},
          },
        });
      }
    } finally {
      recorder.uninstall();
    }

    for (const entry of prepared) {
      const { persona, token, result } = entry;
      log(`${persona.email}: GET /api/cases?limit=25`);
      result.runs.listFirstPage = await measure(`${baseUrl}/api/cases?limit=25`, token, load);
      if (entry.deepPath) {
        log(`${persona.email}: GET /api/cases?limit=25&cursor=… (after ${entry.depth} cases)`);
        result.runs.listDeepPage = await measure(`${baseUrl}${entry.deepPath}`, token, load);
      }
      log(`${persona.email}: GET /api/cases/:id`);
      result.runs.read = await measure(`${baseUrl}/api/cases/${entry.caseId}`, token, load);
    }

    return { caseApi: prepared.map((p) => p.result), tokenCost };
  } finally {
    await app.close();
  }
}

/** Sections 2, 2a and 3: audit write cost and API processes (child processes), then verification (a child of its own). */
async function measureAuditSections(
  launch: AppLaunch,
  client: Client,
  persona: { email: string; password: string; caseId?: string },
  settings: BenchSettings,
  config: AppConfig,
): Promise<AuditThroughputResult & { verification: AuditVerifyResult }> {
  log('audit write cost and API processes');
  const runs = await measureAuditThroughput(
    launch,
    client,
    persona,
    { rounds: settings.auditRounds, durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds, connections: settings.connections },
    log,
  );
  log('verifying the audit log');
  const report = await runVerifier(launch.databaseUrl, config);
  log(`verified ${report.result.checked} events in ${report.seconds.toFixed(1)} s: ${report.result.valid ? 'valid' : 'INVALID'}`);
  return { ...runs, verification: { ...report, eventsPerSecond: report.result.checked / report.seconds } };
}

/** The verifier in a child process of its own, for a clean peak RSS. */
function runVerifier(databaseUrl: string, config: AppConfig): Promise<VerifyReport> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'verify-child.js'), [], {
      env: {
        ...process.env,
        BENCH_VERIFY_DATABASE_URL: databaseUrl,
        BENCH_VERIFY_SIGNING_KEY: config.auditSigningKey.toString('base64'),
        BENCH_VERIFY_ORIGIN: config.auditLogOrigin,
        BENCH_VERIFY_WITNESS_DIR: config.auditWitnessDir,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: VerifyReport | undefined;
    child.on('message', (message) => {
      report = message as VerifyReport;
    });
    child.on('error', reject);
    child.on('exit', (code) => (report ? resolve(report) : reject(new Error(`the verifier child exited with ${code} without a report`))));
  });
}

async function tableSizes(client: Client): Promise<Record<string, string>> {
  const rows = await client.query<{ name: string; size: string }>(
    `SELECT relname AS name, pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class
      WHERE relkind = 'r' AND relname IN ('case', 'case_section', 'participation', 'consent', 'break_glass_grant', 'audit_event') ORDER BY relname`,
  );
  return Object.fromEntries(rows.rows.map((row) => [row.name, row.size]));
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The default run: Passage against the baseline, into latest.json and REPORT.md (bench/physical-run.ts). */
async function againstBaseline(settings: BenchSettings): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void runDeferred().finally(() => process.exit(130));
    });
  }
  const started = performance.now();
  try {
    const latest = await runPhysical({ settings, log, defer });
    writeLatest(settings.outDir, latest);
    log(`wrote ${join(settings.outDir, 'latest.json')} and REPORT.md in ${Math.round((performance.now() - started) / 1000)} s`);
    for (const target of targetsOf(latest)) log(`${target.met ? 'MET' : 'MISSED'}: ${target.target}: ${target.measured} (${target.threshold})`);
  } finally {
    await runDeferred();
  }
}

/** `--render`: rewrites SECTIONS.md from results.json (findings recomputed) without measuring anything again. */
function render(outDir: string): void {
  const stored = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as BenchResults;
  const results: BenchResults = { ...stored, findings: findingsOf(stored) };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'SECTIONS.md'), renderReport(results));
  log(`rewrote ${join(outDir, 'SECTIONS.md')} from results.json`);
}

/** Clean-ups of sections that own their database (notifications), run on SIGINT/SIGTERM too. */
const deferred: Array<() => Promise<void>> = [];
const defer = (cleanup: () => Promise<void>): void => {
  deferred.push(cleanup);
};
const runDeferred = async (): Promise<void> => {
  await Promise.all(deferred.splice(0).map((cleanup) => cleanup().catch((error: unknown) => log(`clean-up failed: ${String(error)}`))));
};

/**
 * `BENCH_ONLY=notifications`: measures section 5 alone and merges it into the results.json in
 * BENCH_OUT (read just before writing, so a full run that finished meanwhile keeps its figures);
 * without one, writes notifications.json and NOTIFICATIONS.md instead.
 */
async function notificationsOnly(settings: BenchSettings): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void runDeferred().finally(() => process.exit(130));
    });
  }
  let notifications: NotificationsResult;
  try {
    notifications = await measureNotifications(settings, log, defer);
  } finally {
    await runDeferred();
  }
  mkdirSync(settings.outDir, { recursive: true });
  const stored = join(settings.outDir, 'results.json');
  if (existsSync(stored)) {
    const previous = JSON.parse(readFileSync(stored, 'utf8')) as BenchResults;
    const merged: Omit<BenchResults, 'findings'> = { ...previous, notifications };
    const results: BenchResults = { ...merged, findings: findingsOf(merged) };
    writeFileSync(stored, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(settings.outDir, 'SECTIONS.md'), renderReport(results));
    log(`merged the notifications section into ${stored} and rewrote SECTIONS.md`);
  } else {
    writeFileSync(join(settings.outDir, 'notifications.json'), `${JSON.stringify(notifications, null, 2)}\n`);
    writeFileSync(join(settings.outDir, 'NOTIFICATIONS.md'), `${renderNotifications(notifications, '').join('\n')}\n`);
    log(`no results.json in ${settings.outDir}: wrote notifications.json and NOTIFICATIONS.md`);
  }
  for (const finding of notificationFindings(notifications)) log(`finding: ${finding}`);
}

async function main(): Promise<void> {
  const settings = loadBenchSettings();
  if (process.argv.includes('--render')) return render(settings.outDir);
  if (settings.only === 'notifications') return notificationsOnly(settings);
  if (settings.only === undefined) return againstBaseline(settings);
  const redisPrefix = `bench:${randomBytes(4).toString('hex')}`;
  const database = await createBenchDatabase(settings.postgresUrl);
  log(`database ${database.name}, Redis prefix ${redisPrefix}`);
  let cleaned: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaned ??= (async () => {
      await runDeferred();
      if (settings.keepDatabase) log(`kept database ${database.name} (BENCH_KEEP_DB)`);
      else await dropBenchDatabase(settings.postgresUrl, database.name).catch((error: unknown) => log(`could not drop ${database.name}: ${String(error)}`));
      await deleteRedisKeys(settings.redisUrl, redisPrefix).catch((error: unknown) => log(`could not delete Redis keys ${redisPrefix}:*: ${String(error)}`));
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  try {
    const witnessDir = mkdtempSync(join(tmpdir(), 'passage-bench-witness-'));
    defer(() => rm(witnessDir, { recursive: true, force: true }));
    // Every API process of the audit sections builds the same configuration from these.
    const appEnv = { ...benchSecrets(), AUDIT_WITNESS_DIR: witnessDir };
    const config = benchAppConfig(database.url, settings.redisUrl, redisPrefix, appEnv);
    const password = randomBytes(12).toString('base64url');
    await migrate(database.url);
    await seedDemoData(database.url, password);

    const results: BenchResults | undefined = await withClient(database.url, async (client) => {
      const machine = await describeMachine(client, settings.redisUrl);
      const directory = await loadDirectory(client);
      const random = new Random(settings.seed);

      log(`seeding ${settings.cases.toLocaleString('en')} cases`);
      const seeded = await seedCases(client, directory, new Sealer(config.encryptionKeys), random, settings.cases, log);
      log(`seeded in ${seeded.stats.seconds.toFixed(1)} s; VACUUM ANALYZE`);
      let started = performance.now();
      await client.query(`VACUUM (ANALYZE) "case", case_section, participation, consent, break_glass_grant`);
      const vacuumSeconds = (performance.now() - started) / 1000;

      if (settings.only === 'statistics') {
        // The statistics alone (issue 16 asks for its latency at 1,000,000 cases): no audit events, no HTTP load.
        log('measuring statistics');
        const statistics = await measureStatistics(config, database.url, client, password, log);
        mkdirSync(settings.outDir, { recursive: true });
        writeFileSync(join(settings.outDir, 'statistics.json'), `${JSON.stringify({ machine, cases: seeded.stats, statistics }, null, 2)}\n`);
        writeFileSync(
          join(settings.outDir, 'STATISTICS.md'),
          [
            '# Statistics benchmark (BENCH_ONLY=statistics)',
            '',
            `${new Date().toISOString()}, ${settings.cases} cases seeded in ${seeded.stats.seconds.toFixed(1)} s, load average at start ${machine.loadAverageAtStart}.`,
            '',
            ...renderStatistics(statistics, settings.cases),
            '',
          ].join('\n'),
        );
        return undefined;
      }

      log(`inserting ${settings.auditEvents.toLocaleString('en')} audit events`);
      const inserted = await seedAuditEvents(client, directory, seeded.cases, random, settings.auditEvents, log);
      log(`inserted in ${inserted.seconds.toFixed(1)} s; the sequencer integrates them into the log`);
      const backlog = await BenchSequencer.start(config, database.url);
      const integration = await backlog.integrateBacklog().finally(() => backlog.close());
      log(
        `integrated ${integration.events.toLocaleString('en')} events in ${integration.seconds.toFixed(1)} s (${Math.round(integration.eventsPerSecond)} events/s)`,
      );
      started = performance.now();
      await client.query(`VACUUM (ANALYZE) audit_event, audit_log_entry, audit_log_node`);
      log(`VACUUM ANALYZE ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const audit = { ...inserted, integration };
      const sizes = await tableSizes(client);

      const launch: AppLaunch = { databaseUrl: database.url, redisUrl: settings.redisUrl, redisPrefix, appEnv };
      if (settings.only === 'audit') {
        const only = await measureAuditSections(launch, client, { email: PERSONAS[0].email, password }, settings, config);
        mkdirSync(settings.outDir, { recursive: true });
        writeFileSync(join(settings.outDir, 'audit.json'), `${JSON.stringify(only, null, 2)}\n`);
        const findings = auditFindings(only.auditCost, only.apiProcesses, only.verification);
        writeFileSync(
          join(settings.outDir, 'AUDIT.md'),
          [
            '# Audit log benchmarks (BENCH_ONLY=audit)',
            '',
            `${new Date().toISOString()}, ${settings.cases} cases, ${settings.auditEvents} audit events, load average at start ${machine.loadAverageAtStart}.`,
            '',
            ...findings.map((finding) => `- ${finding}`),
            '',
            ...renderAuditSections(only.auditCost, only.apiProcesses, only.verification, ['2.', '2a.', '3.']),
            '',
          ].join('\n'),
        );
        for (const finding of findings) log(`finding: ${finding}`);
        return undefined;
      }
      const http = await measureHttp(config, database.url, client, password, settings);
      const big = http.caseApi[0]!;
      const { verification, ...auditRuns } = await measureAuditSections(launch, client, { email: big.email, password, caseId: big.caseId }, settings, config);

      log('measuring statistics');
      const statistics = await measureStatistics(config, database.url, client, password, log);

      const notifications = await measureNotifications(settings, log, defer);

      const partial: Omit<BenchResults, 'findings'> = {
        machine,
        settings: {
          cases: settings.cases,
          auditEvents: settings.auditEvents,
          durationSeconds: settings.durationSeconds,
          warmupSeconds: settings.warmupSeconds,
          connections: settings.connections,
          auditRounds: settings.auditRounds,
          seed: settings.seed,
        },
        dataset: { cases: seeded.stats, vacuumSeconds, audit, tableSizes: sizes },
        caseApi: http.caseApi,
        auditCost: auditRuns.auditCost,
        apiProcesses: auditRuns.apiProcesses,
        tokenCost: http.tokenCost,
        auditVerify: verification,
        notifications,
        statistics,
      };
      return { ...partial, findings: findingsOf(partial) };
    });

    if (!results) {
      log(
        settings.only === 'statistics'
          ? `wrote ${join(settings.outDir, 'STATISTICS.md')} and statistics.json`
          : `wrote ${join(settings.outDir, 'AUDIT.md')} and audit.json`,
      );
      return;
    }
    mkdirSync(settings.outDir, { recursive: true });
    writeFileSync(join(settings.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(settings.outDir, 'SECTIONS.md'), renderReport(results));
    log(`wrote ${join(settings.outDir, 'SECTIONS.md')} and results.json`);
    for (const finding of results.findings) log(`finding: ${finding}`);
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
