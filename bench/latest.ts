import type { MachineDescription } from './machine';
import type { ProfileSummary } from './profile';

export interface Measured {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ScenarioResult {
  name: string;
  passage: Measured;
  baseline: Measured;
  throughputRatio: number;
  p99Ratio: number;
  /** Non-2xx answers, errors and timeouts over all measured runs. */
  failures: { passage: number; baseline: number };
}

export type ProfiledRun = ProfileSummary & { file: string; startUpMsSkipped: number; requests: number };

/** latest.json: the shape issue 13 gives for tools, plus what the report needs to explain it. */
export interface Latest {
  machine: MachineDescription & { connections: number; durationSeconds: number; warmupSeconds: number; rounds: number; cases: number };
  scenarios: ScenarioResult[];
  scale: Array<{ cases: number; listP99Ms: number; readP99Ms: number }>;
  notifications: { rate: number; p50Ms: number; p99Ms: number; perSecond: number };
  apiRssMb: number;
  /** RSS of the same API process after start-up, before any load. */
  apiRssIdleMb: number;
  selfCheck: Array<{ request: string; identical: boolean; compared: string }>;
  statementsPerRequest: Record<string, number>;
  profile: ProfiledRun;
  /** The baseline under the same load: what the same requests cost without Passage's layers. */
  baselineProfile: ProfiledRun;
}

interface Target {
  target: string;
  threshold: string;
  measured: string;
  met: boolean;
}

const fmt = (n: number): string => (Number.isFinite(n) ? (Math.abs(n) < 10 ? n.toFixed(2) : Math.round(n).toLocaleString('en')) : '–');

/** Every target of issue 13 with its threshold, its figure in this run and MET or MISSED. */
export function targetsOf(latest: Latest): Target[] {
  const targets: Target[] = [];
  for (const name of ['list', 'read', 'update']) {
    const s = latest.scenarios.find((x) => x.name === name);
    if (!s) continue;
    targets.push({ target: `${name}: throughput vs baseline`, threshold: '≥ 0.8×', measured: `${fmt(s.throughputRatio)}×`, met: s.throughputRatio >= 0.8 });
    targets.push({ target: `${name}: p99 vs baseline`, threshold: '≤ 1.3×', measured: `${fmt(s.p99Ratio)}×`, met: s.p99Ratio <= 1.3 });
  }
  const first = latest.scale[0];
  const last = latest.scale.at(-1);
  if (first && last && last !== first) {
    for (const [label, key] of [
      ['list', 'listP99Ms'],
      ['read', 'readP99Ms'],
    ] as const) {
      const ratio = last[key] / first[key];
      targets.push({
        target: `${label} p99 at ${last.cases.toLocaleString('en')} cases vs at ${first.cases.toLocaleString('en')} (issue: 1,000,000 vs 10,000)`,
        threshold: '≤ 1.3×',
        measured: `${fmt(ratio)}× (${fmt(last[key])} / ${fmt(first[key])} ms)`,
        met: ratio <= 1.3,
      });
    }
  }
  const n = latest.notifications;
  targets.push({
    target: `notifications: commit → inbox row p99 at ${n.rate} events/s (issue: at 100/s)`,
    threshold: '< 250 ms',
    measured: `${fmt(n.p99Ms)} ms`,
    met: n.p99Ms < 250,
  });
  targets.push({
    target: 'notifications: fan-out with one worker',
    threshold: '≥ 1,000 notifications/s',
    measured: `${fmt(n.perSecond)}/s`,
    met: n.perSecond >= 1000,
  });
  targets.push({
    target: 'API process RSS under load (peak)',
    threshold: '< 250 MB',
    measured: `${fmt(latest.apiRssMb)} MB (${fmt(latest.apiRssIdleMb)} MB after start-up)`,
    met: latest.apiRssMb < 250,
  });
  return targets;
}

/** REPORT.md: facts of this run and the thresholds, nothing that goes stale. */
export function renderLatest(latest: Latest): string {
  const m = latest.machine;
  const lines = [
    '# Passage against its physical limit',
    '',
    `Run of ${m.date} on commit \`${m.commit}\`${m.uncommittedChanges ? ' (uncommitted changes)' : ''}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.postgres}, Redis ${m.redis}; ` +
      `load average ${m.loadAverageAtStart} at the start. ${m.cases.toLocaleString('en')} cases; ${m.connections} connections; ${m.rounds} alternating round(s) of ` +
      `${m.warmupSeconds} s warm-up + ${m.durationSeconds} s measured per scenario and server; figures are medians over the rounds. ` +
      'Other work on the machine during the run shows in the load average and skews both servers alike within a round.',
    '',
    '## Targets',
    '',
    '| target | threshold | measured | |',
    '|---|---|---|---|',
    ...targetsOf(latest).map((t) => `| ${t.target} | ${t.threshold} | ${t.measured} | ${t.met ? 'MET' : '**MISSED**'} |`),
    '',
    '## Passage and the baseline',
    '',
    'The baseline (bench/baseline-server.ts, a child process) is a bare `node:http` + `pg` server: per request it verifies the HS256 token, executes on one pooled connection ' +
      'exactly the statements Passage sent for the same request (captured from the running API by patching the pg client, with their parameters: reads, audit insert, transaction), ' +
      'with ids, versions and times of this request, decrypts every sealed section the rows return, seals what Passage sealed, and answers the bytes Passage answered. ' +
      'Both are loaded from a separate process (bench/load-child.ts, autocannon), alternately within each round.',
    '',
    '| scenario | Passage req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | throughput ratio | p99 ratio | failed requests (P/B) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...latest.scenarios.map(
      (s) =>
        `| ${s.name} | ${fmt(s.passage.rps)} | ${fmt(s.passage.p50Ms)} | ${fmt(s.passage.p99Ms)} | ${fmt(s.baseline.rps)} | ${fmt(s.baseline.p50Ms)} | ${fmt(s.baseline.p99Ms)} | ` +
        `${fmt(s.throughputRatio)} | ${fmt(s.p99Ratio)} | ${s.failures.passage} / ${s.failures.baseline} |`,
    ),
    '',
    `Statements per request (steady state, principal cached): ${Object.entries(latest.statementsPerRequest)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')}. ` +
      'Scenarios: list = first page of `GET /api/cases?limit=25` as the Belgian police officer; list_deep = the page after 90% of their list; read = `GET /api/cases/:id`; ' +
      'update = `PATCH /api/cases/:id/sections/investigation` with the version read, one case per connection; accept = referral create (officer) + accept (Belgian prosecutor), a fresh case each; ' +
      'audit_query = `GET /api/audit/events?limit=25` as the police supervisor; journey = list, read, update in turn on each connection.',
    '',
    `Self-check before the load: ${latest.selfCheck.map((c) => `${c.request} ${c.identical ? 'identical' : 'DIFFERENT'} (${c.compared})`).join('; ')}.`,
    '',
    '## CPU profile of the API under the read and list load',
    '',
    ...renderProfiles(latest.profile, latest.baselineProfile),
    '',
    '## Scale',
    '',
    '| cases | list p99 ms | read p99 ms |',
    '|---:|---:|---:|',
    ...latest.scale.map((s) => `| ${s.cases.toLocaleString('en')} | ${fmt(s.listP99Ms)} | ${fmt(s.readP99Ms)} |`),
    '',
    '## Notifications',
    '',
    `At ${latest.notifications.rate} events/s, event commit → inbox row visible: p50 ${fmt(latest.notifications.p50Ms)} ms, p99 ${fmt(latest.notifications.p99Ms)} ms ` +
      `(bench/notifications.ts, worker in the bench process, no API load alongside); one worker context fans out ${fmt(latest.notifications.perSecond)} notifications/s.`,
    '',
  ];
  return lines.join('\n');
}

const perRequest = (ms: number, run: ProfiledRun): string => fmt((ms * 1000) / Math.max(run.requests, 1));

function renderProfiles(passage: ProfiledRun, baseline: ProfiledRun): string[] {
  const baselineByGroup = new Map(baseline.groups.map((g) => [g.group, g.selfMs]));
  return [
    `\`${passage.file}\` (\`node --cpu-prof\` on the API child; open it in Chrome DevTools or speedscope), and the baseline's under the same load: \`${baseline.file}\`. ` +
      `Idle and start-up (until the server listened) excluded. ${passage.requests.toLocaleString('en')} requests to Passage took ${fmt(passage.totalMs)} ms of its CPU, ` +
      `**${perRequest(passage.totalMs, passage)} µs per request**; ${baseline.requests.toLocaleString('en')} to the baseline ${fmt(baseline.totalMs)} ms, ` +
      `**${perRequest(baseline.totalMs, baseline)} µs per request**.`,
    '',
    'Top 15 functions of the API by self time (a text flame summary; native functions are attributed to their nearest caller with a script):',
    '',
    '| # | function | where | package | called from (outside node:) | self ms | % |',
    '|---:|---|---|---|---|---:|---:|',
    ...passage.functions.map((f, i) => `| ${i + 1} | \`${f.name}\` | ${f.where} | ${f.group} | ${f.calledFrom} | ${fmt(f.selfMs)} | ${f.percent} |`),
    '',
    "Self time by package, per request, next to the baseline's (a package the baseline does not use is work only Passage does):",
    '',
    '| package | Passage µs/request | % | baseline µs/request |',
    '|---|---:|---:|---:|',
    ...passage.groups.map((g) => {
      const base = baselineByGroup.get(g.group);
      return `| ${g.group} | ${perRequest(g.selfMs, passage)} | ${g.percent} | ${base === undefined ? '–' : perRequest(base, baseline)} |`;
    }),
  ];
}
