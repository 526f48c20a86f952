import { QUEUE_CONCURRENCY } from '../src/queue/job-definitions';
import { QueueName } from '../src/queue/job-name';
import type { LoadResult } from './http-load';
import type { MachineDescription } from './machine';
import type { NotificationsResult } from './notifications';
import type { PlanSummary } from './query-plans';
import type { Percentiles } from './notifications';
import type { IntegrationStats } from './audit-log';
import { auditFindings, type AuditVerifyResult, renderAuditSections } from './audit-report';
import type { ApiProcessesResult, AuditCostResult } from './audit-throughput';
import type { StatisticsResult } from './statistics';
import type { AuditSeedStats } from './seed-audit';
import type { CaseSeedStats } from './seed-cases';
import type { TokenCost } from './token-cost';

export interface CaseApiResult {
  key: string;
  email: string;
  description: string;
  visibleCases: number;
  deepPageDepth?: number;
  caseId: string;
  sectionsRead: string[];
  /** The list statement as CasesService sent it for the first page. */
  listQuery: { sql: string; parameters: unknown[] };
  plans: { firstPage: PlanSummary; deepPage?: PlanSummary };
  runs: { listFirstPage?: LoadResult; listDeepPage?: LoadResult; read?: LoadResult };
}

export interface BenchResults {
  machine: MachineDescription;
  settings: { cases: number; auditEvents: number; durationSeconds: number; warmupSeconds: number; connections: number; auditRounds?: number; seed: number };
  dataset: { cases: CaseSeedStats; vacuumSeconds: number; audit: AuditSeedStats & { integration?: IntegrationStats }; tableSizes: Record<string, string> };
  caseApi: CaseApiResult[];
  auditCost: AuditCostResult;
  apiProcesses: ApiProcessesResult;
  auditVerify: AuditVerifyResult;
  tokenCost: TokenCost;
  /** Absent in results written before the section existed; `BENCH_ONLY=notifications` adds it to a stored run. */
  notifications?: NotificationsResult;
  /** Absent in results written before the section existed. */
  statistics?: StatisticsResult;
  findings: string[];
}

const SCALE_CASES = 1_000_000;

const int = (n: number): string => Math.round(n).toLocaleString('en');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(n < 10 ? 1 : 0) : '–');

function planVerdict(plan: PlanSummary): string {
  const problems: string[] = [];
  if (plan.fullScan)
    problems.push(
      `**full scan** of ${plan.seqScans
        .filter((s) => s.rows > 10_000)
        .map((s) => `${s.table} (${int(s.rows)} rows)`)
        .join(', ')}`,
    );
  if (plan.slow) problems.push(`**slow**: ${ms(plan.executionMs.at(-1)!)} ms > 50 ms`);
  return problems.length > 0 ? `FLAG: ${problems.join('; ')}` : 'OK';
}

export function findingsOf(results: Omit<BenchResults, 'findings'>): string[] {
  const findings: string[] = [];
  for (const persona of results.caseApi) {
    const pages: Array<[string, PlanSummary | undefined, LoadResult | undefined]> = [
      ['first page', persona.plans.firstPage, persona.runs.listFirstPage],
      ['deep page', persona.plans.deepPage, persona.runs.listDeepPage],
    ];
    for (const [page, plan, run] of pages) {
      if (!plan) continue;
      const last = ms(plan.executionMs.at(-1)!);
      if (plan.fullScan || plan.slow) {
        const load = run
          ? ` Under load the endpoint serves ${int(run.requestsPerSecond)} req/s, p50 ${ms(run.latencyMs.p50)} ms, p99 ${ms(run.latencyMs.p99)} ms.`
          : '';
        findings.push(
          `${planVerdict(plan)}: the case list (${page}) for ${persona.email} runs in ${last} ms; indexes used: ${plan.indexes.join(', ') || 'none'}.${load}`,
        );
      } else {
        findings.push(`OK: the case list (${page}) for ${persona.email} runs in ${last} ms using ${plan.indexes.join(', ') || 'no index'}; no full scan.`);
      }
    }
    for (const [name, run] of Object.entries(persona.runs)) {
      if (run && run.non2xx + run.errors + run.timeouts > 0) {
        findings.push(`ERRORS: ${persona.email} ${name}: ${run.non2xx} non-2xx, ${run.errors} errors, ${run.timeouts} timeouts.`);
      }
    }
  }
  const flagged = results.caseApi.flatMap((persona) => [persona.plans.firstPage, persona.plans.deepPage]).filter((plan) => plan?.fullScan || plan?.slow);
  if (flagged.length > 0) {
    const worst = Math.max(...flagged.map((plan) => plan!.executionMs.at(-1)!));
    findings.push(
      `The flagged list plans hash every live participation of the organisation (uncorrelated \`c.id IN (SELECT case_id FROM participation ...)\` from case-sql-filter.ts) to return 25 rows: ` +
        `their cost grows with the organisation's whole history, about ${int((worst * SCALE_CASES) / results.settings.cases)} ms per page at ${int(SCALE_CASES)} cases (PRODUCT.md scale) if it stays linear. ` +
        'Suggested change (src/, lead): denormalise the case sort key into participation (`case_created_at`, kept in step with "case".created_at) with an index ' +
        '`participation (organisation_id, case_created_at DESC, case_id DESC) WHERE revoked_at IS NULL`, and let the list take the newest `limit` case ids per allowing rule from that index ' +
        '(UNION of the rules, cursor applied to the same key) before joining "case" and case_section; its cost is then O(limit) for big and sparse organisations alike. ' +
        'A correlated EXISTS probing participation_case_org_live_idx instead (forced with OFFSET 0, else the planner hashes it again) fixes the big organisation but walks far more cases for sparse ones.',
    );
  }
  findings.push(...auditFindings(results.auditCost, results.apiProcesses, results.auditVerify));
  const token = results.tokenCost;
  if (token.applicationMicros > 5 * token.keyObjectMicros) {
    findings.push(
      `Token verification costs ${int(token.applicationMicros)} µs of CPU per request; the same check with the secret as a KeyObject costs ${int(token.keyObjectMicros)} µs ` +
        '(jsonwebtoken tries to parse a Buffer secret as a public key, and throws, on every call).',
    );
  }
  if (results.notifications) findings.push(...notificationFindings(results.notifications));
  return findings;
}

export function notificationFindings(result: NotificationsResult): string[] {
  const findings: string[] = [];
  const { latency } = result;
  const bursts = result.throughput
    .map(
      (run) =>
        `${run.workers} worker context${run.workers > 1 ? 's' : ''} ${int(run.notificationsPerSecond)} notifications/s (${int(run.eventsPerSecond)} events/s)`,
    )
    .join(', ');
  findings.push(
    `Notifications: at ${int(latency.targetRate)} events/s (achieved ${latency.achievedRate.toFixed(1)}/s) an inbox row is visible p50 ${ms(latency.latencyMs.p50)} ms, ` +
      `p99 ${ms(latency.latencyMs.p99)} ms (max ${ms(latency.latencyMs.max)} ms) after its event commits; a burst of ${int(result.settings.burst)} events is fanned out at ${bursts}.`,
  );
  const one = result.throughput.find((run) => run.workers === 1);
  const first = latency.windows[0];
  const last = latency.windows.at(-1);
  const rising = first !== undefined && last !== undefined && last.p50 > 2 * first.p50 && last.p50 > 1000;
  if (one && (rising || one.completeEventsPerSecond < 1.5 * latency.targetRate)) {
    const trend = `latency p50 ${first ? ms(first.p50) : '–'} ms in the first ${latency.windowSeconds} s of the run, ${last ? ms(last.p50) : '–'} ms in the last`;
    findings.push(
      (rising
        ? `The worker falls behind at ${int(latency.targetRate)} events/s on this machine (${trend}): the latency figures measure a growing queue. `
        : `Little headroom at ${int(latency.targetRate)} events/s on this machine, though the run stayed level (${trend}). `) +
        `One context completes ${int(one.completeEventsPerSecond)} events/s with their e-mails (the fan-out alone ${int(one.eventsPerSecond)} events/s). ` +
        `Of the latency, the relay takes p50 ${ms(latency.stagesMs.relay.p50)} ms (from the emitting transaction's start), the fan-out job waits in the queue p50 ${ms(latency.stagesMs.queueWait.p50)} ms ` +
        `(p95 ${ms(latency.stagesMs.queueWait.p95)} ms) and runs p50 ${ms(latency.stagesMs.handle.p50)} ms. ` +
        `Fan-out jobs have the notifications queue to themselves (concurrency ${QUEUE_CONCURRENCY[QueueName.Notifications]}) and group their writes (one transaction, addBulk and outbox update per group); ` +
        'what remains per event is reading its recipients (the case with its participations and grants, the candidate users), a few round trips each.',
    );
  }
  const two = result.throughput.find((run) => run.workers === 2);
  if (one && two && two.notificationsPerSecond < 1.1 * one.notificationsPerSecond) {
    findings.push(
      `A second worker context adds no throughput here (${int(two.notificationsPerSecond)} vs ${int(one.notificationsPerSecond)} notifications/s): both run in one process on two cores shared with ` +
        `PostgreSQL and Redis (process CPU ${one.processCpuPercent}% and ${two.processCpuPercent}%, load average up to ${Math.max(one.loadAverage.end, two.loadAverage.end)}), ` +
        "so the limit is the machine, not the consumers' concurrency; scaling out needs worker processes on cores of their own.",
    );
  }
  const problems: string[] = [];
  if (latency.notifications < latency.expectedNotifications)
    problems.push(`${int(latency.expectedNotifications - latency.notifications)} inbox rows of the latency run missing`);
  if (latency.emitFailures > 0) problems.push(`${int(latency.emitFailures)} emitting transactions failed`);
  if (latency.achievedRate < 0.95 * latency.targetRate)
    problems.push(`the emitter sustained only ${latency.achievedRate.toFixed(1)} of ${latency.targetRate} events/s`);
  if (latency.createdAtMismatches > 0) problems.push(`${int(latency.createdAtMismatches)} inbox rows not dated at their event`);
  for (const run of result.throughput) {
    if (run.notifications < run.expectedNotifications)
      problems.push(`${int(run.expectedNotifications - run.notifications)} inbox rows of the ${run.workers}-context burst missing`);
    if (run.failedJobs + run.retryingJobs > 0)
      problems.push(`${run.failedJobs} failed and ${run.retryingJobs} retrying notification jobs after the ${run.workers}-context burst`);
  }
  if (problems.length > 0) findings.push(`CHECK FAILED: notifications: ${problems.join('; ')}.`);
  return findings;
}

const pct = (p: Percentiles): string => `${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.p99)} | ${ms(p.max)}`;

/** The notifications section; `heading` is its number in the full report. */
export function renderNotifications(result: NotificationsResult, heading: string): string[] {
  const { latency, machine, setup, settings } = result;
  const lines = [
    `## ${heading}Notifications: latency and worker throughput`,
    '',
    `Measured by bench/notifications.ts on ${machine.date}, commit \`${machine.commit}\`${machine.uncommittedChanges ? ' with uncommitted changes' : ''}, load average ${machine.loadAverageAtStart} at its start, ` +
      `in a database of its own (\`passage_bench_notify_*\`: migrated, demo data, ${setup.cases} cases led by ${setup.organisation} inserted as test/notifications.support.ts does), ` +
      'with its own Redis prefix and a temporary var dir for the e-mail files (no SMTP_URL). ' +
      `The worker is \`createWorkerContext\` in the bench process: outbox relay (woken by NOTIFY, OUTBOX_POLL_INTERVAL_MS=${settings.outboxPollIntervalMs}), BullMQ consumers, ` +
      'the real recipient rules (CASE_VISIBILITY bound to UserCaseVisibility). ' +
      `Every event is \`${setup.eventType}\` for ${setup.organisation} without an actor, which reaches ${setup.recipients.join(' and ')} (${setup.recipients.length} inbox rows and e-mails per event); ` +
      `${int(setup.warmupEvents)} unmeasured events warm up first.`,
    '',
    `### Latency at ${int(latency.targetRate)} events/s`,
    '',
    `For ${latency.seconds} s each event is written through \`OutboxService.emit\` in its own transaction (a DataSource of its own, as the API writes events), launched on schedule without waiting for the previous one. ` +
      "Latency is from the emitter's COMMIT answering to the inbox row's transaction committing: a bench-only AFTER INSERT trigger on notification NOTIFYs the row, and PostgreSQL delivers it at commit. " +
      `\`notification.created_at - outbox_event.created_at\` cannot measure it: the fan-out dates each row when its event happened, so it is 0 by design ` +
      `(below a millisecond: the date goes through a JavaScript Date; ${int(latency.createdAtMismatches)} rows differ by more).`,
    '',
    '| | count | p50 ms | p95 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|',
    `| **event committed → inbox row visible** | ${int(latency.latencyMs.count)} | ${pct(latency.latencyMs)} |`,
    `| outbox created_at → processed_at (database clock; fan-out done, e-mail jobs queued) | ${int(latency.processedMs.count)} | ${pct(latency.processedMs)} |`,
    `| of which: outbox created_at (start of the emitting transaction) → fan-out job added by the relay | ${int(latency.stagesMs.relay.count)} | ${pct(latency.stagesMs.relay)} |`,
    `| of which: job waiting in the notifications queue | ${int(latency.stagesMs.queueWait.count)} | ${pct(latency.stagesMs.queueWait)} |`,
    `| of which: fan-out job running (recipients, inbox rows, e-mail jobs) | ${int(latency.stagesMs.handle.count)} | ${pct(latency.stagesMs.handle)} |`,
    `| emitting transaction (BEGIN … COMMIT) | ${int(latency.emitTransactionMs.count)} | ${pct(latency.emitTransactionMs)} |`,
    `| emission start behind schedule | ${int(latency.launchLagMs.count)} | ${pct(latency.launchLagMs)} |`,
    '',
    `Latency by ${latency.windowSeconds}-s window of the run (p50 / p99 ms): ${latency.windows
      .map((window) => `${window.fromSecond} s: ${ms(window.p50)} / ${ms(window.p99)}`)
      .join('; ')}. A p50 that keeps rising means the worker falls behind the rate: the figures then measure a growing queue, not a steady state.`,
    '',
    `${int(latency.events)} events committed at ${latency.achievedRate.toFixed(1)} events/s (target ${int(latency.targetRate)}), ${int(latency.emitFailures)} failed; ` +
      `${int(latency.notifications)} of ${int(latency.expectedNotifications)} inbox rows seen. ` +
      `Event loop delay of the bench process (worker, emitter and observer share it): p50 ${ms(latency.eventLoopDelayMs.p50)} ms, p99 ${ms(latency.eventLoopDelayMs.p99)} ms, max ${ms(latency.eventLoopDelayMs.max)} ms; ` +
      `load average ${latency.loadAverage.start} → ${latency.loadAverage.end}.`,
    '',
    '### Worker throughput',
    '',
    `${int(settings.burst)} events written in one transaction (one INSERT … SELECT into outbox_event) while the worker contexts idle; timed from its COMMIT until every expected inbox row is visible, ` +
      `then until every e-mail is written (notification_email; polled every 100 ms). Fan-out jobs run in the notifications queue (concurrency ${QUEUE_CONCURRENCY[QueueName.Notifications]} per context), e-mails in a queue of their own. ` +
      "Two contexts are two relays and two sets of BullMQ consumers, but in one process: they share its JavaScript thread, so they show the concurrency headroom, not a second machine's.",
    '',
    '| worker contexts | events | inbox rows | first row after ms | all rows after s | notifications/s | events/s | all e-mails after s | events/s with e-mails | process CPU | event loop p99 / max ms | failed / retrying jobs | load avg |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...result.throughput.map(
      (run) =>
        `| ${run.workers} | ${int(run.events)} | ${int(run.notifications)}${run.notifications < run.expectedNotifications ? ` **of ${int(run.expectedNotifications)}**` : ''} | ` +
        `${ms(run.firstRowMs)} | ${run.inboxSeconds.toFixed(2)} | **${int(run.notificationsPerSecond)}** | ${int(run.eventsPerSecond)} | ` +
        `${Number.isFinite(run.emailsSeconds) ? run.emailsSeconds.toFixed(1) : 'not drained'} | ${Number.isFinite(run.completeEventsPerSecond) ? int(run.completeEventsPerSecond) : '–'} | ${run.processCpuPercent}% | ${ms(run.eventLoopDelayMs.p99)} / ${ms(run.eventLoopDelayMs.max)} | ` +
        `${run.failedJobs} / ${run.retryingJobs} | ${run.loadAverage.start} → ${run.loadAverage.end} |`,
    ),
    '',
    'Process CPU is this process (worker contexts and observer) over the wall time until the inbox was complete; 100% is one core. PostgreSQL and Redis run on the same two cores.',
  ];
  return lines;
}

function loadRow(user: string, request: string, visible: string, run: LoadResult | undefined): string {
  if (!run) return `| ${user} | ${request} | ${visible} | – | – | – | – | – | – |`;
  const failures = run.non2xx + run.errors + run.timeouts;
  return `| ${user} | ${request} | ${visible} | ${int(run.requestsPerSecond)} | ${ms(run.latencyMs.p50)} | ${ms(run.latencyMs.p97_5)} | ${ms(run.latencyMs.p99)} | ${failures === 0 ? '0' : `**${failures}**`} | ${run.loadAverage} |`;
}

export function renderReport(results: BenchResults): string {
  const { machine, settings, dataset } = results;
  const lines: string[] = [];
  const add = (...more: string[]): void => {
    lines.push(...more);
  };
  const stats = dataset.cases;

  add(
    '# Passage benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${machine.date}, commit \`${machine.commit}\`${machine.uncommittedChanges ? ' with uncommitted changes in the working tree' : ''}. ` +
      'Figures are from one run on a shared machine: compare them with runs on the same machine, not across machines.',
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${machine.cpu}, ${machine.cores} cores |`,
    `| memory | ${machine.memoryGiB} GiB |`,
    `| OS | ${machine.os} |`,
    `| Node.js | ${machine.node} |`,
    `| PostgreSQL | ${machine.postgres} (${Object.entries(machine.postgresSettings)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ')}) |`,
    `| Redis | ${machine.redis} |`,
    `| load average at start | ${machine.loadAverageAtStart} |`,
    '',
    'Server, load generator (autocannon in a worker thread of the same process), PostgreSQL and Redis all share these cores.',
    '',
    '## Settings',
    '',
    `BENCH_CASES=${settings.cases} BENCH_AUDIT_EVENTS=${settings.auditEvents} BENCH_DURATION=${settings.durationSeconds} BENCH_WARMUP=${settings.warmupSeconds} ` +
      `BENCH_CONNECTIONS=${settings.connections} BENCH_AUDIT_ROUNDS=${settings.auditRounds ?? 1} BENCH_SEED=${settings.seed}`,
    '',
    `Each measurement: ${settings.warmupSeconds} s unmeasured warm-up, then ${settings.durationSeconds} s with ${settings.connections} connections, no pipelining.`,
    '',
    '## Findings',
    '',
    ...results.findings.map((finding) => `- ${finding}`),
    '',
    `## 1. Case list and case read at ${int(stats.cases)} cases`,
    '',
    `Bulk-loaded in ${stats.seconds.toFixed(1)} s (${stats.waitSeconds.toFixed(1)} s of it waiting for PostgreSQL; multi-row INSERTs from unnest arrays, sensitive sections sealed with the application's Sealer), then VACUUM ANALYZE in ${dataset.vacuumSeconds.toFixed(1)} s.`,
    '',
    '| | |',
    '|---|---|',
    `| cases by country | ${Object.entries(stats.byCountry)
      .map(([country, n]) => `${country} ${int(n)}`)
      .join(', ')}; ${int(stats.closed)} closed |`,
    `| sections | ${int(stats.sections)} (${int(stats.sealedSections)} sealed) |`,
    `| participations (live / revoked) | ${Object.entries(stats.participations)
      .map(([purpose, n]) => `${purpose} ${int(n.live)} / ${int(n.revoked)}`)
      .join(', ')} |`,
    `| consents | ${int(stats.consents)} |`,
    `| break-glass grants | ${stats.breakGlass.live} live, ${stats.breakGlass.expired} expired |`,
    `| audit events before the HTTP runs | ${int(dataset.audit.inserted)} (appended in ${dataset.audit.seconds.toFixed(1)} s) |`,
    `| table sizes | ${Object.entries(dataset.tableSizes)
      .map(([table, size]) => `${table} ${size}`)
      .join(', ')} |`,
    '',
    '### Throughput and latency',
    '',
    '| user | request | visible cases | req/s | p50 ms | p97.5 ms | p99 ms | failed | load avg |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const persona of results.caseApi) {
    add(
      loadRow(persona.email, '`GET /api/cases?limit=25`', int(persona.visibleCases), persona.runs.listFirstPage),
      loadRow(persona.email, `deep page (cursor after ${int(persona.deepPageDepth ?? 0)})`, '', persona.runs.listDeepPage),
      loadRow(persona.email, `\`GET /api/cases/:id\` (${persona.sectionsRead.join(', ')})`, '', persona.runs.read),
    );
  }
  add(
    '',
    '### The list query: plans',
    '',
    'The statement is captured from the running application (the DataSource the service uses), so the access predicate is exactly what CASL produced for the user; ' +
      'it is then run under `EXPLAIN (ANALYZE, BUFFERS)` three times with the same parameters. Execution times of the three runs, the plan shown is the last.',
    '',
    '| user | page | execution ms | planning ms | indexes used | sequential scans | verdict |',
    '|---|---|---|---:|---|---|---|',
  );
  for (const persona of results.caseApi) {
    const pages: Array<[string, PlanSummary | undefined]> = [
      ['first', persona.plans.firstPage],
      ['deep', persona.plans.deepPage],
    ];
    for (const [page, plan] of pages) {
      if (!plan) continue;
      add(
        `| ${persona.email} | ${page} | ${plan.executionMs.map(ms).join(' / ')} | ${ms(plan.planningMs)} | ${plan.indexes.join('<br>') || 'none'} | ${
          plan.seqScans.map((s) => `${s.table} (${int(s.rows)} rows)`).join('<br>') || 'none'
        } | ${planVerdict(plan)} |`,
      );
    }
  }
  const big = results.caseApi[0];
  if (big) {
    add(
      '',
      `The first-page statement for ${big.email}, as the application sent it:`,
      '',
      '```sql',
      big.listQuery.sql.replace(/\n\s+/g, '\n  '),
      '```',
      '',
      `Parameters: \`${JSON.stringify(big.listQuery.parameters)}\``,
    );
  }
  for (const persona of results.caseApi) {
    const pages: Array<[string, PlanSummary | undefined]> = [
      ['first page', persona.plans.firstPage],
      ['deep page', persona.plans.deepPage],
    ];
    for (const [page, plan] of pages) {
      if (!plan) continue;
      add('', `#### ${persona.email}, ${page}`, '', '```text', plan.text, '```');
    }
  }

  add('', ...renderAuditSections(results.auditCost, results.apiProcesses, results.auditVerify, ['2.', '2a.', '3.']));
  add(
    '',
    '## 4. Token verification per request',
    '',
    `TokenService.verifyAccess, as every authenticated request calls it, timed over ${int(results.tokenCost.iterations)} calls in this process, against the same HS256 check with the secret held as a KeyObject.`,
    '',
    '| | µs per call |',
    '|---|---:|',
    `| TokenService.verifyAccess | ${int(results.tokenCost.applicationMicros)} |`,
    `| JwtService with a KeyObject secret | ${int(results.tokenCost.keyObjectMicros)} |`,
    '',
    ...(results.notifications ? [...renderNotifications(results.notifications, '5. '), ''] : []),
    ...(results.statistics ? [...renderStatistics(results.statistics, settings.cases), ''] : []),
    '## Reproduce',
    '',
    '`npm run bench` (PostgreSQL at 127.0.0.1:5432 with trust auth, Redis at 127.0.0.1:6379). It creates and drops a database `passage_bench_*` and deletes its Redis keys. ' +
      'A quick run: `BENCH_ONLY=sections BENCH_CASES=5000 BENCH_AUDIT_EVENTS=20000 BENCH_DURATION=2 BENCH_OUT=/tmp/bench npm run bench`. ' +
      '`node dist/bench/run.js --render` rewrites this report from results.json without measuring again. ' +
      '`BENCH_ONLY=notifications npm run bench` measures only section 5 and merges it into the results.json in BENCH_OUT (about 2 minutes).',
    '',
    '| variable | default | |',
    '|---|---|---|',
    '| BENCH_CASES | 100000 | cases bulk-loaded |',
    '| BENCH_AUDIT_EVENTS | 1000000 | audit events appended to the chain |',
    '| BENCH_DURATION | 10 | seconds per measured run |',
    '| BENCH_WARMUP | 2 | seconds of unmeasured warm-up before each run |',
    '| BENCH_CONNECTIONS | 10 | concurrent connections |',
    '| BENCH_AUDIT_ROUNDS | 5 | alternating rounds of sections 2 and 2a |',
    '| BENCH_SEED | 42 | seed of the data generator |',
    '| BENCH_OUT | bench/results | where SECTIONS.md and results.json go (not committed) |',
    '| BENCH_KEEP_DB | false | keep the database for inspection |',
    '| BENCH_POSTGRES_URL, BENCH_REDIS_URL | 127.0.0.1 | loopback only |',
    '| BENCH_ONLY | | `sections`: this report; `notifications`: only section 5, merged into the stored results; `audit`: only sections 2, 2a and 3, written to AUDIT.md and audit.json; `statistics`: only section 6 (cases seeded, no audit events), written to STATISTICS.md and statistics.json; unset: Passage against the baseline (docs/performance.md) |',
    '| BENCH_NOTIFY_SECONDS | 30 | seconds of the notification latency run |',
    '| BENCH_NOTIFY_RATE | 100 | events per second of the latency run |',
    '| BENCH_NOTIFY_BURST | 5000 | events per throughput burst |',
    '| BENCH_NOTIFY_WORKERS | 2 | throughput bursts with 1 … this many worker contexts |',
    '',
  );
  return lines.join('\n');
}

/** The statistics section: GET /api/statistics end to end, from the rollups rebuilt after the bulk load. */
export function renderStatistics(result: StatisticsResult, cases: number): string[] {
  return [
    '## 6. Statistics',
    '',
    `GET /api/statistics over ${int(cases)} cases, one request at a time (${result.scenarios[0]?.requests ?? 0} each, after 3 unmeasured), through the API with its audit event. ` +
      `The bulk load runs with triggers off, so the rollups were rebuilt first with stats_rebuild() (${result.rebuildSeconds.toFixed(1)} s, ${int(result.rollupRows)} rollup rows). ` +
      'The bulk load makes no referrals, so the referral and answer-time figures are empty here.',
    '',
    '| scenario | p50 ms | p95 ms | max ms |',
    '|---|---:|---:|---:|',
    ...result.scenarios.map((s) => `| ${s.description} | ${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${ms(s.maxMs)} |`),
  ];
}
