import type { LoadResult } from './http-load';
import type { MachineDescription } from './machine';
import type { PlanSummary } from './query-plans';
import type { AuditSeedStats } from './seed-audit';
import type { CaseSeedStats } from './seed-cases';
import type { TokenCost } from './token-cost';
import type { VerifyReport } from './verify-child';

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

export interface AuditCostResult {
  email: string;
  caseId: string;
  withAudit: LoadResult;
  withoutAudit: LoadResult;
  /** Chain growth during each run, warm-up included: proves the no-op really replaced the audit. */
  eventsWrittenWithAudit: number;
  eventsWrittenWithoutAudit: number;
  /** Both apps answered the same request with the same body and the same header names. */
  sameBody: boolean;
  headerDiff: string[];
}

export interface BenchResults {
  machine: MachineDescription;
  settings: { cases: number; auditEvents: number; durationSeconds: number; warmupSeconds: number; connections: number; seed: number };
  dataset: { cases: CaseSeedStats; vacuumSeconds: number; audit: AuditSeedStats; tableSizes: Record<string, string> };
  caseApi: CaseApiResult[];
  auditCost: AuditCostResult;
  auditVerify: VerifyReport & { eventsPerSecond: number };
  tokenCost: TokenCost;
  findings: string[];
}

const SCALE_AUDIT_EVENTS = 300_000_000;
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
  const cost = results.auditCost;
  const overhead = 1 - cost.withAudit.requestsPerSecond / cost.withoutAudit.requestsPerSecond;
  findings.push(
    `Audit write cost: GET /api/cases/:id serves ${int(cost.withAudit.requestsPerSecond)} req/s with the audit trail and ${int(cost.withoutAudit.requestsPerSecond)} req/s without ` +
      `(${(overhead * 100).toFixed(0)}% of throughput; p99 ${ms(cost.withAudit.latencyMs.p99)} ms vs ${ms(cost.withoutAudit.latencyMs.p99)} ms).`,
  );
  if (cost.eventsWrittenWithoutAudit !== 0) findings.push(`CHECK FAILED: the no-audit app still wrote ${cost.eventsWrittenWithoutAudit} audit events.`);
  if (!cost.sameBody || cost.headerDiff.length > 0) {
    findings.push(
      `CHECK FAILED: the no-audit app answers differently from createHttpApp (body ${cost.sameBody ? 'same' : 'differs'}; headers ${cost.headerDiff.join(' ') || 'same'}): bench/no-audit-app.ts drifted.`,
    );
  }
  const token = results.tokenCost;
  if (token.applicationMicros > 5 * token.keyObjectMicros) {
    findings.push(
      `Token verification costs ${int(token.applicationMicros)} µs of CPU per request; the same check with the secret as a KeyObject costs ${int(token.keyObjectMicros)} µs ` +
        '(jsonwebtoken tries to parse a Buffer secret as a public key, and throws, on every call).',
    );
  }
  const verify = results.auditVerify;
  if (!verify.result.valid) findings.push(`CHECK FAILED: the audit chain did not verify: ${verify.result.reason ?? 'no reason given'}.`);
  const hours = SCALE_AUDIT_EVENTS / verify.eventsPerSecond / 3600;
  findings.push(
    `Audit verify: ${int(verify.eventsPerSecond)} events/s, peak RSS ${int(verify.peakRssMiB)} MiB; a full verification of ${int(SCALE_AUDIT_EVENTS)} events (PRODUCT.md scale) would take about ${hours.toFixed(1)} h.`,
  );
  return findings;
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
      `BENCH_CONNECTIONS=${settings.connections} BENCH_SEED=${settings.seed}`,
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

  const cost = results.auditCost;
  add(
    '',
    '## 2. Audit write cost',
    '',
    `\`GET /api/cases/:id\` as ${cost.email}, the same case (\`${cost.caseId}\`), back to back: the application from createHttpApp, then the same application ` +
      'with AuditService replaced by a no-op (bench/no-audit-app.ts: a Nest testing module with `overrideProvider(AuditService)`).',
    '',
    '| variant | req/s | p50 ms | p97.5 ms | p99 ms | audit events written (warm-up included) | load avg |',
    '|---|---:|---:|---:|---:|---:|---:|',
    `| with the audit trail | ${int(cost.withAudit.requestsPerSecond)} | ${ms(cost.withAudit.latencyMs.p50)} | ${ms(cost.withAudit.latencyMs.p97_5)} | ${ms(cost.withAudit.latencyMs.p99)} | ${int(cost.eventsWrittenWithAudit)} | ${cost.withAudit.loadAverage} |`,
    `| AuditService as a no-op | ${int(cost.withoutAudit.requestsPerSecond)} | ${ms(cost.withoutAudit.latencyMs.p50)} | ${ms(cost.withoutAudit.latencyMs.p97_5)} | ${ms(cost.withoutAudit.latencyMs.p99)} | ${int(cost.eventsWrittenWithoutAudit)} | ${cost.withoutAudit.loadAverage} |`,
    '',
    `Same response from both apps: body ${cost.sameBody ? 'identical' : '**differs**'}, header names ${cost.headerDiff.length === 0 ? 'identical' : `**differ**: ${cost.headerDiff.join(' ')}`}.`,
  );

  const verify = results.auditVerify;
  add(
    '',
    '## 3. Audit verification',
    '',
    `${int(dataset.audit.inserted)} events appended through the chain before the HTTP runs (generated and hashed with the application's chainHash in ${dataset.audit.hashSeconds.toFixed(1)} s, ` +
      'batched INSERTs in one transaction holding the chain head), plus the events the HTTP runs wrote. `AuditVerifier.verify()` then ran alone in a child process (bench/verify-child.ts).',
    '',
    '| events checked | valid | seconds | events/s | RSS before | peak RSS |',
    '|---:|---|---:|---:|---:|---:|',
    `| ${int(verify.result.checked)} | ${verify.result.valid ? 'yes' : `**no**: ${verify.result.reason ?? ''}`} | ${verify.seconds.toFixed(1)} | ${int(verify.eventsPerSecond)} | ${int(verify.rssBeforeMiB)} MiB | ${int(verify.peakRssMiB)} MiB |`,
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
    '## Reproduce',
    '',
    '`npm run bench` (PostgreSQL at 127.0.0.1:5432 with trust auth, Redis at 127.0.0.1:6379). It creates and drops a database `passage_bench_*` and deletes its Redis keys. ' +
      'A quick run: `BENCH_CASES=5000 BENCH_AUDIT_EVENTS=20000 BENCH_DURATION=2 BENCH_OUT=/tmp/bench npm run bench`. ' +
      '`node dist/bench/run.js --render` rewrites this report from results.json without measuring again.',
    '',
    '| variable | default | |',
    '|---|---|---|',
    '| BENCH_CASES | 100000 | cases bulk-loaded |',
    '| BENCH_AUDIT_EVENTS | 1000000 | audit events appended to the chain |',
    '| BENCH_DURATION | 10 | seconds per measured run |',
    '| BENCH_WARMUP | 2 | seconds of unmeasured warm-up before each run |',
    '| BENCH_CONNECTIONS | 10 | concurrent connections |',
    '| BENCH_SEED | 42 | seed of the data generator |',
    '| BENCH_OUT | bench/results | where REPORT.md and results.json go |',
    '| BENCH_KEEP_DB | false | keep the database for inspection |',
    '| BENCH_POSTGRES_URL, BENCH_REDIS_URL | 127.0.0.1 | loopback only |',
    '',
  );
  return lines.join('\n');
}
